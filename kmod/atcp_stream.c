// SPDX-License-Identifier: GPL-2.0
/*
 * The stream calls of an atcp socket: send and receive, poll, shutdown and
 * the queue ioctls.
 */
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"

/*
 * MSG_MORE corks this call's data until a send without it, as Linux does;
 * a TCP_CORK the user set stays the user's.  A send without it uncorks once
 * its own data is queued, so that what was held goes out with that data,
 * not ahead of it in a segment of its own.
 */
static void atcp_more(struct sock *sk, bool more)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_actions act;

	if (more == as->more_corked ||
	    (more && atcp_engine_getopt(&as->tcb, ATCP_OPTION_CORK)))
		return;
	as->more_corked = more;
	atcp_engine_setopt(&as->tcb, ATCP_OPTION_CORK, more, atcp_now_us(), &act);
	atcp_apply(sk, &act, NULL);
}

/*
 * Appends user data to the send queue in page fragments, which segments
 * then share rather than copy (atcp_output.c), each byte charged to the
 * socket and to atcp's memory.  Returns the bytes taken, at most one page
 * fragment's room; 0 when memory is short (a page, an skb, or room under
 * net.atcp.mem), for which the caller waits as Linux's tcp_sendmsg() does.
 */
static ssize_t atcp_append(struct sock *sk, struct iov_iter *from)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	struct sk_buff *fresh = NULL;
	size_t copy;
	int i;

	if (!sk_page_frag_refill(sk, pfrag))
		return 0;
	if (!skb || (skb_shinfo(skb)->nr_frags == MAX_SKB_FRAGS &&
		     !skb_can_coalesce(skb, MAX_SKB_FRAGS, pfrag->page,
				       pfrag->offset))) {
		fresh = alloc_skb(0, sk->sk_allocation);
		if (!fresh)
			return 0;
		skb = fresh;
	}
	copy = min_t(size_t, iov_iter_count(from), pfrag->size - pfrag->offset);
	if (!sk_wmem_schedule(sk, copy + (fresh ? fresh->truesize : 0))) {
		kfree_skb(fresh);
		return 0;
	}
	if (fresh) {
		__skb_queue_tail(&sk->sk_write_queue, fresh);
		sk_wmem_queued_add(sk, fresh->truesize);
		sk_mem_charge(sk, fresh->truesize);
	}
	if (!copy_from_iter_full(page_address(pfrag->page) + pfrag->offset, copy,
				 from))
		return -EFAULT;
	i = skb_shinfo(skb)->nr_frags;
	if (skb_can_coalesce(skb, i, pfrag->page, pfrag->offset)) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		get_page(pfrag->page);
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
	}
	pfrag->offset += copy;
	skb->len += copy;
	skb->data_len += copy;
	skb->truesize += copy;
	sk_wmem_queued_add(sk, copy);
	sk_mem_charge(sk, copy);
	return copy;
}

int atcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_actions act;
	size_t copied = 0;
	long timeo;
	int err = 0;

	/* sendfile() and splice() come with ATCP_MSG_SPLICE (compat.h). */
	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR |
			       ATCP_MSG_SPLICE))
		return -EOPNOTSUPP;
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto error;
	}
	if (msg->msg_flags & MSG_MORE)
		atcp_more(sk, true);
	while (msg_data_left(msg)) {
		ssize_t n;

		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
			err = -EPIPE;
			goto error;
		}
		n = sk_stream_memory_free(sk) ?
			    atcp_append(sk, &msg->msg_iter) : 0;
		if (n < 0) {
			err = n;
			goto error;
		}
		if (!n) {
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			err = sk_stream_wait_memory(sk, &timeo);
			if (err)
				goto error;
			continue;
		}
		WRITE_ONCE(as->snd_bytes, as->snd_bytes + n);
		copied += n;
		atcp_engine_send(&as->tcb, n, atcp_now_us(), &act);
		atcp_apply(sk, &act, NULL);
	}
	if (!(msg->msg_flags & MSG_MORE))
		atcp_more(sk, false);
	release_sock(sk);
	return copied;

error:
	if (!(msg->msg_flags & MSG_MORE))
		atcp_more(sk, false);
	if (copied)
		err = 0;
	else
		err = sk_stream_error(sk, msg->msg_flags, err);
	release_sock(sk);
	return copied ?: err;
}

/* Copies up to len bytes from the receive queue; peek leaves them there. */
static int atcp_copy_received(struct sock *sk, struct msghdr *msg, size_t len,
			      bool peek, size_t *copied)
{
	u32 skip = peek ? *copied : 0;
	struct sk_buff *skb, *tmp;
	int err;

	skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
		struct atcp_skb_cb *cb = atcp_skb_cb(skb);
		size_t n;

		if (skip >= cb->len) {
			skip -= cb->len;
			continue;
		}
		n = min_t(size_t, cb->len - skip, len - *copied);
		err = skb_copy_datagram_msg(skb, cb->off + skip, msg, n);
		if (err)
			return err;
		*copied += n;
		if (!peek) {
			cb->off += n;
			cb->len -= n;
			WRITE_ONCE(atcp_sk(sk)->rcv_unread,
				   atcp_sk(sk)->rcv_unread - n);
			if (!cb->len) {
				__skb_unlink(skb, &sk->sk_receive_queue);
				consume_skb(skb);
			}
		}
		skip = 0;
		if (*copied == len)
			break;
	}
	return 0;
}

/* The engine's right-sizing grew the receive buffer: the socket's follows. */
static void atcp_rcvbuf_follow(struct sock *sk)
{
	u32 rcvbuf = atcp_engine_getopt(&atcp_sk(sk)->tcb, ATCP_OPTION_RCVBUF);

	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK) && rcvbuf > sk->sk_rcvbuf)
		WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
}

int atcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	bool peek = flags & MSG_PEEK;
	struct atcp_actions act;
	size_t copied = 0, before;
	int target, err = 0;
	long timeo;

	if (flags & MSG_ERRQUEUE) {
		int addr_len = 0;

		err = atcp_errqueue_recv(sk, msg, len, &addr_len);
		msg->msg_namelen = addr_len;
		return err;
	}
	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_WAITALL |
		      MSG_CMSG_CLOEXEC | MSG_NOSIGNAL))
		return -EOPNOTSUPP;
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	for (;;) {
		before = copied;
		err = atcp_copy_received(sk, msg, len, peek, &copied);
		if (err)
			break;
		if (!peek && copied > before) {
			atcp_engine_memory_pressure(&as->tcb,
						    sk_under_memory_pressure(sk));
			atcp_engine_consumed(&as->tcb, copied - before,
					     atcp_now_us(), &act);
			atcp_rcvbuf_follow(sk);
			atcp_apply(sk, &act, NULL);
		}
		if (copied >= target || copied == len)
			break;
		if (copied && peek)
			break;
		if (sk->sk_err) {
			err = copied ? 0 : sock_error(sk);
			break;
		}
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			break;
		if (sk->sk_state == TCP_CLOSE) {
			err = copied ? 0 : -ENOTCONN;
			break;
		}
		if (!timeo) {
			err = copied ? 0 : -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = copied ? 0 : sock_intr_errno(timeo);
			break;
		}
		sk_wait_data(sk, &timeo, skb_peek_tail(&sk->sk_receive_queue));
	}
out:
	release_sock(sk);
	return err ?: copied;
}

__poll_t atcp_poll(struct file *file, struct socket *sock,
		   poll_table *wait)
{
	struct sock *sk = sock->sk;
	int state = inet_sk_state_load(sk);
	__poll_t mask = 0;
	u8 shutdown;

	sock_poll_wait(file, sock, wait);
	if (state == TCP_LISTEN)
		return list_empty_careful(&atcp_sk(sk)->accept_queue) ?
			       0 : EPOLLIN | EPOLLRDNORM;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (!((1 << state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))) {
		if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (shutdown & SEND_SHUTDOWN) {
			mask |= EPOLLOUT | EPOLLWRNORM;
		} else if (sk_stream_is_writeable(sk)) {
			mask |= EPOLLOUT | EPOLLWRNORM;
		} else {
			sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			/* Race with an ACK freeing space: look again. */
			smp_mb__after_atomic();
			if (sk_stream_is_writeable(sk))
				mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

int atcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_actions act;
	int err = 0;

	how++; /* SHUT_RD, SHUT_WR, SHUT_RDWR become RCV_, SEND_, SHUTDOWN_MASK */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		break;
	case TCP_LISTEN:
		if (how & RCV_SHUTDOWN) {
			/* As Linux does: a listener shut for reading stops listening. */
			atcp_close_children(sk);
			atcp_engine_close(&as->tcb, atcp_now_us(), &act);
			atcp_apply(sk, &act, NULL);
			atcp_unbind(sk);
		}
		break;
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if ((how & SEND_SHUTDOWN) && !as->released) {
			atcp_engine_close(&as->tcb, atcp_now_us(), &act);
			atcp_apply(sk, &act, NULL);
		}
		break;
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

int atcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_conn_info info;
	int answer;

	switch (cmd) {
	case SIOCINQ: /* FIONREAD */
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answer = READ_ONCE(as->rcv_unread);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answer = READ_ONCE(as->snd_bytes);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		atcp_engine_info(&as->tcb, atcp_now_us(), &info);
		answer = as->snd_bytes - min(as->snd_bytes, info.unacked);
		release_sock(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answer, (int __user *)arg);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * atcp_xfer: moves a stream of pseudo-random bytes from a client to a server
 * over atcp or Linux TCP and proves it arrived whole.  netns_test runs it
 * between every pairing of the two stacks.
 *
 *   atcp_xfer server [-f FAMILY] -p PORT [-n BYTES] [-t SECS]
 *   atcp_xfer client [-f FAMILY] -a ADDR -p PORT -n BYTES [-t SECS]
 *
 * FAMILY is "atcp" (the number in force in ATCP_FAMILY_SYSFS) or "linux"
 * (AF_INET, or AF_INET6 for IPv6).  -6 makes the server listen on the IPv6
 * wildcard; a client address with a colon is IPv6.  The client sends BYTES and half-closes; the server reads to
 * EOF, answers "BYTES HASH\n" for what it read and exits.  The client exits 0
 * only when that line matches the count and hash of what it sent.  The
 * server exits 0 once it has answered, and, with -n, read BYTES.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "atcp_selftest.h"

#define CHUNK (256 << 10)
/* A stream that makes no progress for this long has failed. */
#define STALL_SECS 15
#define CONNECT_TRIES 100

struct opts {
	int family;
	const char *addr;
	uint16_t port;
	uint64_t bytes;
	bool have_bytes;
	unsigned int secs;
	bool v6; /* the server listens on [::] */
};

/* The socket's family: Linux's TCP needs AF_INET6 for IPv6 addresses. */
static int sock_family(const struct opts *o, bool v6)
{
	return o->family == AF_INET && v6 ? AF_INET6 : o->family;
}

/*
 * A streaming hash of 64-bit words, so that hashing keeps up with the wire
 * even in an emulated guest; the bytes may arrive in chunks of any size.
 */
struct hash {
	uint64_t h;
	uint64_t count;
	uint8_t tail[8];
	unsigned int ntail;
};

static uint64_t rotl64(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

static void hash_word(struct hash *hs, const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	hs->h ^= w * 0x9e3779b97f4a7c15ull;
	hs->h = rotl64(hs->h, 27) * 0xc2b2ae3d27d4eb4full + 0x52dce729;
}

static void hash_update(struct hash *hs, const uint8_t *p, size_t n)
{
	hs->count += n;
	while (hs->ntail && n) {
		hs->tail[hs->ntail++] = *p++;
		n--;
		if (hs->ntail == 8) {
			hash_word(hs, hs->tail);
			hs->ntail = 0;
		}
	}
	for (; n >= 8; p += 8, n -= 8)
		hash_word(hs, p);
	memcpy(hs->tail, p, n);
	hs->ntail += n;
}

/* The hash of every byte and of their count (murmur3's finaliser). */
static uint64_t hash_final(struct hash *hs)
{
	uint64_t h;

	memset(hs->tail + hs->ntail, 0, 8 - hs->ntail);
	hash_word(hs, hs->tail);
	h = hs->h ^ hs->count;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* splitmix64: the client's payload, the same on every run. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = STALL_SECS };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		perror("atcp_xfer: setsockopt");
		return -1;
	}
	return 0;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

		if (r < 0) {
			perror("atcp_xfer: send");
			return -1;
		}
		p += r;
		n -= r;
	}
	return 0;
}

static int server(const struct opts *o)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(o->port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(o->port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr *sa = o->v6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin;
	socklen_t salen = o->v6 ? sizeof(sin6) : sizeof(sin);
	static uint8_t buf[CHUNK];
	struct hash hs = { 0 };
	char line[64];
	int one = 1;
	int lfd, fd;
	ssize_t r;

	lfd = socket(sock_family(o, o->v6), SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("atcp_xfer: socket");
		return 1;
	}
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, sa, salen) || listen(lfd, 1)) {
		perror("atcp_xfer: bind/listen");
		return 1;
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("atcp_xfer: accept");
		return 1;
	}
	close(lfd);
	if (set_timeouts(fd))
		return 1;
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		hash_update(&hs, buf, r);
	if (r < 0) {
		perror("atcp_xfer: recv");
		return 1;
	}
	snprintf(line, sizeof(line), "%" PRIu64 " %016" PRIx64 "\n", hs.count,
		 hash_final(&hs));
	if (send_all(fd, (const uint8_t *)line, strlen(line)))
		return 1;
	close(fd);
	if (o->have_bytes && hs.count != o->bytes) {
		fprintf(stderr, "atcp_xfer: read %" PRIu64 " bytes, expected %" PRIu64 "\n",
			hs.count, o->bytes);
		return 1;
	}
	return 0;
}

/*
 * A connected socket.  The server is started just before the client, so a
 * refusal means it is not listening yet: try again for a while.
 */
static int connect_server(const struct opts *o)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(o->port),
	};
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(o->port),
	};
	bool v6 = strchr(o->addr, ':') != NULL;
	struct sockaddr *sa = v6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin;
	socklen_t salen = v6 ? sizeof(sin6) : sizeof(sin);
	int fd, i;

	if (v6 ? inet_pton(AF_INET6, o->addr, &sin6.sin6_addr) != 1 :
		 inet_pton(AF_INET, o->addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "atcp_xfer: bad address %s\n", o->addr);
		return -1;
	}
	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = socket(sock_family(o, v6), SOCK_STREAM, 0);
		if (fd < 0) {
			perror("atcp_xfer: socket");
			return -1;
		}
		if (!connect(fd, sa, salen))
			return fd;
		close(fd);
		if (errno != ECONNREFUSED)
			break;
		usleep(50000);
	}
	perror("atcp_xfer: connect");
	return -1;
}

static int client(const struct opts *o)
{
	static uint8_t buf[CHUNK];
	struct hash hs = { 0 };
	uint64_t state = 0x61746370; /* "atcp" */
	uint64_t left = o->bytes, count, hash, mine;
	size_t got = 0;
	double start, secs;
	char line[64];
	int fd;
	ssize_t r = 0;

	fd = connect_server(o);
	if (fd < 0 || set_timeouts(fd))
		return 1;
	start = now_secs();
	while (left) {
		size_t n = left < CHUNK ? left : CHUNK;

		for (size_t i = 0; i < n; i += 8) {
			uint64_t w = next_random(&state);

			memcpy(buf + i, &w, sizeof(w));
		}
		hash_update(&hs, buf, n);
		if (send_all(fd, buf, n))
			return 1;
		left -= n;
	}
	if (shutdown(fd, SHUT_WR)) {
		perror("atcp_xfer: shutdown");
		return 1;
	}
	/* The line, up to the server's close. */
	while (got < sizeof(line) - 1 &&
	       (r = recv(fd, line + got, sizeof(line) - 1 - got, 0)) > 0)
		got += r;
	if (r < 0) {
		perror("atcp_xfer: recv");
		return 1;
	}
	secs = now_secs() - start;
	close(fd);
	line[got] = '\0';
	mine = hash_final(&hs);
	if (sscanf(line, "%" SCNu64 " %" SCNx64, &count, &hash) != 2) {
		fprintf(stderr, "atcp_xfer: no result from the server: '%s'\n", line);
		return 1;
	}
	if (count != o->bytes || hash != mine) {
		fprintf(stderr, "atcp_xfer: sent %" PRIu64 " bytes hash %016" PRIx64
			", server read %" PRIu64 " hash %016" PRIx64 "\n",
			o->bytes, mine, count, hash);
		return 1;
	}
	printf("%" PRIu64 " bytes %016" PRIx64 " in %.2f s: %.1f MB/s %.1f Mbit/s\n",
	       o->bytes, mine, secs, o->bytes / secs / 1e6, o->bytes * 8 / secs / 1e6);
	return 0;
}

static void timed_out(int sig)
{
	static const char msg[] = "atcp_xfer: timed out\n";

	write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: atcp_xfer server [-f atcp|linux] [-6] -p PORT [-n BYTES] [-t SECS]\n"
		"       atcp_xfer client [-f atcp|linux] -a ADDR -p PORT -n BYTES [-t SECS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .family = AF_INET, .secs = 120 };
	bool is_server;
	int c;

	if (argc < 2)
		bad_usage();
	if (!strcmp(argv[1], "server"))
		is_server = true;
	else if (!strcmp(argv[1], "client"))
		is_server = false;
	else
		bad_usage();
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:p:n:t:6")) != -1) {
		switch (c) {
		case '6':
			o.v6 = true;
			break;
		case 'f':
			if (!strcmp(optarg, "atcp"))
				o.family = atcp_family();
			else if (strcmp(optarg, "linux"))
				bad_usage();
			if (o.family < 0) {
				fprintf(stderr, "atcp_xfer: atcp is not loaded\n");
				return 1;
			}
			break;
		case 'a':
			o.addr = optarg;
			break;
		case 'p':
			o.port = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			o.bytes = strtoull(optarg, NULL, 0);
			o.have_bytes = true;
			break;
		case 't':
			o.secs = strtoul(optarg, NULL, 0);
			break;
		default:
			bad_usage();
		}
	}
	if (optind != argc || !o.port || (!is_server && (!o.addr || !o.have_bytes)))
		bad_usage();
	/*
	 * The socket timeouts catch a stall; this bounds the whole run, connect
	 * and accept included, and a stream that only trickles.
	 */
	signal(SIGALRM, timed_out);
	alarm(o.secs);
	return is_server ? server(&o) : client(&o);
}

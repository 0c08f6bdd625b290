// SPDX-License-Identifier: GPL-2.0
/*
 * atcp-echo: an RFC 862 echo daemon over atcp, in the fewest lines the BSD
 * socket API allows: socket(AF_ATCP, ...), then what any TCP server does.
 *
 *   atcp-echo [PORT]     listen on *:PORT (default 7007), serve each client
 *                        in a child process until it closes
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/atcp.h>

/* The family the loaded module registered (it may be moved with family=). */
static int atcp_family(void)
{
	FILE *f = fopen(ATCP_FAMILY_SYSFS, "r");
	int family = AF_ATCP;

	if (f) {
		if (fscanf(f, "%d", &family) != 1)
			family = AF_ATCP;
		fclose(f);
	}
	return family;
}

static void serve(int fd)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(fd, buf + done, n - done);

			if (w < 0)
				return;
			done += w;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	char *end;
	long port = argc > 1 ? strtol(argv[1], &end, 10) : 7007;
	int one = 1, lfd;

	if (argc > 2 || (argc > 1 && (*end || port < 1 || port > 65535))) {
		fprintf(stderr, "usage: atcp-echo [PORT]\n");
		return 2;
	}
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	lfd = socket(atcp_family(), SOCK_STREAM, 0);
	if (lfd < 0) {
		fprintf(stderr, "atcp-echo: socket: %s (is atcp.ko loaded?)\n", strerror(errno));
		return 1;
	}
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 64)) {
		fprintf(stderr, "atcp-echo: port %ld: %s\n", port, strerror(errno));
		return 1;
	}
	signal(SIGCHLD, SIG_IGN); /* no zombies */
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("atcp-echo: accept");
			return 1;
		}
		if (fork() == 0) {
			close(lfd);
			serve(fd);
			_exit(0);
		}
		close(fd);
	}
}

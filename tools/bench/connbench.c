// SPDX-License-Identifier: GPL-2.0
/*
 * connbench: how many connections the machine holds, and what each costs.
 *
 *   connbench linux|atcp N
 *
 * Opens up to N connections over loopback to a listener of the same
 * process (clients from 127.0.0.2 up, 10000 to an address, so that no
 * stack's ephemeral range runs out), keeping both ends open, and stops
 * early at the first failure, which it names.  The kernel's slab memory
 * (/proc/meminfo's Slab: socket objects, their files, inodes and dentries)
 * is read before, with every connection idle, and after the clients close
 * first, which leaves each connection in TIME-WAIT on the client's side.
 * Prints one line:
 *   KIND conns N idle BYTES/conn time-wait BYTES/conn [stopped: ERROR]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "family.h"

#define PER_ADDRESS 10000

static long slab_bytes(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* The slab after the kernel has settled: RCU frees, deferred work. */
static long settled_slab(void)
{
	sleep(2);
	return slab_bytes();
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	const char *stopped = NULL;
	long n, i, base, idle, tw;
	int *client, *server;
	struct rlimit files;
	int family, lfd, err = 0;

	if (argc != 3 || (strcmp(argv[1], "linux") && strcmp(argv[1], "atcp")) ||
	    (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: connbench linux|atcp N\n");
		return 2;
	}
	family = strcmp(argv[1], "atcp") ? AF_INET : atcp_family();
	files.rlim_cur = files.rlim_max = 2 * n + 64;
	if (setrlimit(RLIMIT_NOFILE, &files)) {
		perror("connbench: setrlimit");
		return 1;
	}
	client = calloc(n, sizeof(*client));
	server = calloc(n, sizeof(*server));
	lfd = socket(family, SOCK_STREAM, 0);
	if (!client || !server || lfd < 0 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 4096) || getsockname(lfd, (struct sockaddr *)&addr, &len)) {
		perror("connbench: listener");
		return 1;
	}
	base = settled_slab();
	for (i = 0; i < n; i++) {
		struct sockaddr_in from = {
			.sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + i / PER_ADDRESS),
		};

		client[i] = socket(family, SOCK_STREAM, 0);
		if (client[i] < 0) {
			stopped = "socket";
			err = errno;
			break;
		}
		if (bind(client[i], (struct sockaddr *)&from, sizeof(from)) ||
		    connect(client[i], (struct sockaddr *)&addr, sizeof(addr))) {
			stopped = "connect";
			err = errno;
			close(client[i]);
			break;
		}
		server[i] = accept(lfd, NULL, NULL);
		if (server[i] < 0) {
			stopped = "accept";
			err = errno;
			close(client[i]);
			break;
		}
	}
	n = i;
	idle = settled_slab();
	/* The clients close first: their side waits in TIME-WAIT. */
	for (i = 0; i < n; i++)
		close(client[i]);
	for (i = 0; i < n; i++)
		close(server[i]);
	tw = settled_slab();
	printf("%s conns %ld idle %ld B/conn time-wait %ld B/conn", argv[1], n,
	       n ? (idle - base) / n : 0, n ? (tw - base) / n : 0);
	if (stopped)
		printf(" stopped: %s: %s", stopped, strerror(err));
	printf("\n");
	return 0;
}

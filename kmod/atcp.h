/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ATCP_ATCP_H
#define _ATCP_ATCP_H

int atcp_sock_init(int family);
void atcp_sock_exit(void);

void atcp_codec_probe_init(void);
void atcp_codec_probe_exit(void);

#endif /* _ATCP_ATCP_H */

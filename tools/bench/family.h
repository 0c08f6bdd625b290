/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmarks' one reading of the family number atcp registered. */
#ifndef ATCP_BENCH_FAMILY_H
#define ATCP_BENCH_FAMILY_H

#include <linux/atcp.h>
#include <stdio.h>

/* The number in ATCP_FAMILY_SYSFS, or AF_ATCP where it cannot be read. */
static inline int atcp_family(void)
{
    FILE* f = fopen(ATCP_FAMILY_SYSFS, "r");
    int n = AF_ATCP;

    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = AF_ATCP;
        fclose(f);
    }
    return n;
}

#endif

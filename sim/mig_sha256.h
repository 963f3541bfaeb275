/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sha256.h: SHA-256 (FIPS 180-4) of a byte string as 64 lowercase hex digits, for the
 * provenance of files an output was made from (the same digest `sha256sum` prints). */
#ifndef MIG_SHA256_H
#define MIG_SHA256_H

#include <stddef.h>

#define MIG_SHA256_HEX 65   /* 64 hex digits and the NUL */

/* queries */
/* Writes the digest of data[0..len) into hex (caller's buffer of MIG_SHA256_HEX bytes). */
void mig_sha256_hex(const void *data, size_t len, char hex[MIG_SHA256_HEX]);

#endif

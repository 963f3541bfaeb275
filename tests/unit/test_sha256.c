/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_sha256.c: SHA-256 against the FIPS 180-4 examples and sha256sum's digests, at the
 * lengths where the padding needs one block or two (55, 56, 63, 64 bytes). */
#include <criterion/criterion.h>
#include <string.h>

#include "mig_sha256.h"

static void expect_digest(const char *text, size_t len, const char *want)
{
    char hex[MIG_SHA256_HEX];
    mig_sha256_hex(text, len, hex);
    cr_expect_str_eq(hex, want, "%zu bytes", len);
}

Test(sha256, known_digests)
{
    static const char a64[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    expect_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect_digest(a64, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    expect_digest(a64, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
    expect_digest(a64, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

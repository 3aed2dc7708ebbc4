"""Traditional Unix DES ``crypt(3)``, only so Roster can *verify* 13-character hashes OTOBO wrote.

OTOBO's CryptType ``crypt`` stores ``crypt(password, login)``: classic DES whose 2-character salt
is the start of the login and which reads only the first 8 bytes of the password. Roster never
writes this format (it is far too weak); it only has to recognise and check it.

Why our own ~100 lines rather than a library: Python's ``crypt`` module is deprecated and gone in
Python 3.13; passlib (whose pure-Python ``des_crypt`` would do) is unmaintained and breaks with
current ``bcrypt`` releases; its fork libpass is a large framework for one rarely used check; a
plain DES cipher (e.g. pycryptodome) cannot do crypt's salted variant, which swaps bits of the
expansion table. The algorithm is small and fixed (V7 Unix ``crypt.c``, FIPS 46 tables), and the
tests check it against Perl's ``crypt()`` (libxcrypt) on random inputs.

Speed is irrelevant here (25 DES encryptions per check, a few milliseconds); clarity wins, so the
cipher works on lists of bits exactly as the specification draws them.
"""

from __future__ import annotations

SALT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# FIPS 46 tables, 1-based bit positions as printed in the standard.
_PC1 = (
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
    10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
    63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
    14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
)  # fmt: skip
_PC2 = (
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
    23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
    41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
    44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
)  # fmt: skip
_SHIFTS = (1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1)
_IP = (
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
    62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
    57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
    61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
)  # fmt: skip
_FP = (
    40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
    38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
    36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
    34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
)  # fmt: skip
_E = (
    32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9,
    8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
    16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25,
    24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
)  # fmt: skip
_P = (
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
    2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
)  # fmt: skip
_S = (
    (14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
     0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
     4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
     15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13),
    (15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
     3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
     0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
     13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9),
    (10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
     13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
     13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
     1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12),
    (7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
     13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
     10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
     3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14),
    (2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
     14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
     4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
     11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3),
    (12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
     10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
     9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
     4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13),
    (4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
     13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
     1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
     6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12),
    (13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
     1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
     7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
     2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11),
)  # fmt: skip


def _subkeys(key: list[int]) -> list[list[int]]:
    cd = [key[i - 1] for i in _PC1]
    c, d = cd[:28], cd[28:]
    keys = []
    for shift in _SHIFTS:
        c, d = c[shift:] + c[:shift], d[shift:] + d[:shift]
        both = c + d
        keys.append([both[i - 1] for i in _PC2])
    return keys


def _encrypt(block: list[int], keys: list[list[int]], expansion: list[int]) -> list[int]:
    bits = [block[i - 1] for i in _IP]
    left, right = bits[:32], bits[32:]
    for key in keys:
        mixed = [right[e - 1] ^ k for e, k in zip(expansion, key, strict=True)]
        out: list[int] = []
        for box in range(8):
            six = mixed[6 * box : 6 * box + 6]
            row = (six[0] << 1) | six[5]
            column = (six[1] << 3) | (six[2] << 2) | (six[3] << 1) | six[4]
            value = _S[box][16 * row + column]
            out += [(value >> shift) & 1 for shift in (3, 2, 1, 0)]
        feistel = [out[p - 1] for p in _P]
        left, right = right, [a ^ b for a, b in zip(left, feistel, strict=True)]
    both = right + left
    return [both[i - 1] for i in _FP]


def des_crypt(password: bytes, salt: str) -> str | None:
    """``crypt(password, salt)`` for traditional DES: 2 salt characters + 11 hash characters.

    None when the salt is not two characters of ``./0-9A-Za-z``: libxcrypt (Debian's and
    Fedora's ``crypt``) then returns the failure token ``*0`` rather than a hash, and a
    failure token must never be compared with a stored value (reference §3.7, item 4).
    As in C, the password ends at its first NUL byte and only its first 8 bytes, 7 bits each,
    make the key.
    """
    if len(salt) != 2 or any(ch not in SALT_ALPHABET for ch in salt):
        return None
    key: list[int] = []
    for byte in password.split(b"\x00", 1)[0][:8]:
        key += [(byte >> shift) & 1 for shift in range(6, -1, -1)] + [0]
    key += [0] * (64 - len(key))
    expansion = list(_E)
    for index, ch in enumerate(salt):
        value = SALT_ALPHABET.index(ch)
        for bit in range(6):
            if (value >> bit) & 1:
                at = 6 * index + bit
                expansion[at], expansion[at + 24] = expansion[at + 24], expansion[at]
    keys = _subkeys(key)
    block = [0] * 64
    for _ in range(25):
        block = _encrypt(block, keys, expansion)
    block += [0, 0]
    chars = []
    for i in range(11):
        value = 0
        for bit in block[6 * i : 6 * i + 6]:
            value = (value << 1) | bit
        chars.append(SALT_ALPHABET[value])
    return salt + "".join(chars)

"""Primary keys: time-ordered UUIDs (version 7, RFC 9562).

Rows created one after another get ids that sort one after another, so inserts append to the
end of every primary-key index instead of touching random pages, and an id says when it was made.
"""

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """A new version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")
    random_a = random_bits >> 68  # 12 bits
    random_b = random_bits & ((1 << 62) - 1)  # 62 bits
    value = (milliseconds << 80) | (0x7 << 76) | (random_a << 64) | (0b10 << 62) | random_b
    return uuid.UUID(int=value)

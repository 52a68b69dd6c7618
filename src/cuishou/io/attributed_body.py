"""Text from iOS `message.attributedBody` (an NSAttributedString archived as an Apple typedstream).

On newer iOS `message.text` is often NULL and the words exist only here. pytypedstream (optional extra `ios`)
is used when importable; otherwise a small fallback decoder reads the documented layout: the first NSString's
contents are stored as an unshared string after the type encoding "+", preceded by a typedstream integer
length (one byte below 0x80 or 0x91–0xFF; 0x81 → uint16, 0x82 → uint32, in the stream's byte order).
"""
from __future__ import annotations

try:  # optional dependency
    from typedstream.stream import BeginTypedValues, TypedStreamReader
except ImportError:  # pragma: no cover - exercised via monkeypatch in tests
    TypedStreamReader = None  # type: ignore[assignment,misc]
    BeginTypedValues = None  # type: ignore[assignment,misc]

_MAX_EVENTS = 200


def decode_with_pytypedstream(blob: bytes) -> str | None:
    if TypedStreamReader is None:
        return None
    try:
        want = False
        for i, ev in enumerate(TypedStreamReader.from_data(blob)):
            if i > _MAX_EVENTS:
                return None
            if isinstance(ev, BeginTypedValues):
                want = list(ev.encodings) == [b"+"]
            elif want and isinstance(ev, bytes):
                return ev.decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 — any malformed blob means "not decodable this way"
        return None
    return None


def decode_fallback(blob: bytes) -> str | None:
    """Scan for NSString then `+` and read the length-prefixed UTF-8 run (pure, never raises)."""
    start = blob.find(b"NSString")
    if start < 0:
        return None
    plus = blob.find(b"\x01+", start)
    if plus < 0:
        return None
    i = plus + 2
    if i >= len(blob):
        return None
    order = "big" if blob[2:13] == b"typedstream" else "little"
    head = blob[i]
    i += 1
    if head == 0x81:
        n, i = int.from_bytes(blob[i:i + 2], order), i + 2
    elif head == 0x82:
        n, i = int.from_bytes(blob[i:i + 4], order), i + 4
    elif 0x80 <= head <= 0x90:
        return None
    else:
        n = head
    if i + n > len(blob):
        return None
    return blob[i:i + n].decode("utf-8", "replace")


def decode_attributed_body(blob: bytes | None) -> tuple[str | None, str]:
    """→ (text or None, method) where method is "pytypedstream", "fallback" or ""."""
    if not blob:
        return None, ""
    text = decode_with_pytypedstream(blob)
    if text is not None:
        return text, "pytypedstream"
    text = decode_fallback(blob)
    return (text, "fallback") if text is not None else (None, "")

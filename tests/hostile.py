"""What the hostile suites share: text no browser would send where a token, a number or
a redirect target belongs, and bodies and query strings built byte for byte."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st

# Percent-encoded bytes that decode to odd text or to no text at all: é, a lone surrogate
# (not UTF-8), bytes no UTF-8 has, an overlong "/", NUL, right-to-left override, CR LF,
# and encoded separators.
RAW = st.sampled_from(["%C3%A9", "%ED%A0%80", "%FF%FE", "%C0%AF", "%00", "%E2%80%AE",
                       "%F0%9F%98%80", "%0D%0A", "%25", "+", "a%26b%3Dc"])  # fmt: skip
NON_ASCII = st.text(st.characters(min_codepoint=0x80, codec="utf-8"), min_size=1, max_size=3)
CONTROL = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=3)
# Where a token is expected: a valid one with non-ASCII text or odd bytes put in at a
# drawn place (percent-encoded, as sent), or text that was never a token.
EDITS = st.tuples(st.integers(0, 64), st.one_of(NON_ASCII.map(quote), RAW))
# Where a positive whole number is expected: beyond SQLite's integers, below 1,
# digits that are not ASCII, exponents.
NUMBERS = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.text("0123456789", min_size=10, max_size=40),
    st.sampled_from(["9" * 30, "²", "١٢", "０", "1e3", "0x10", " 1", "1.0", ""]),
)


def edited(token: str, edit: tuple[int, str]) -> str:
    """`token` percent-encoded with the (already encoded) text of `edit` put in."""
    at, text = edit
    return quote(token[:at], safe="") + text + quote(token[at:], safe="")


def form_body(pairs: list[tuple[str, str]], raw: list[tuple[str, str]] = ()) -> bytes:
    """An urlencoded body: `pairs` encoded, `raw` values sent exactly as given."""
    fields = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs]
    fields += [f"{quote(k, safe='')}={v}" for k, v in raw]
    return "&".join(fields).encode()


def redirect_targets():
    """Values of `next`: paths under /admin with control characters or odd bytes in
    them, other sites, and paths that are fine, all percent-encoded."""
    inside = st.tuples(st.sampled_from(["/admin", "/admin/", "/admin/audit"]),
                       st.one_of(CONTROL, NON_ASCII, st.text(max_size=8)))  # fmt: skip
    encoded = inside.map(lambda p: quote(p[0] + p[1], safe="/"))
    elsewhere = st.sampled_from(["//evil.example/admin", "https://evil.example/admin",
                                 "/admin@evil.example", "\\\\evil", "/s/cmo", ""])  # fmt: skip
    raw = st.tuples(st.sampled_from(["/admin", "/admin/users"]), RAW).map("".join)
    return st.one_of(encoded, elsewhere.map(lambda t: quote(t, safe="/")), raw)

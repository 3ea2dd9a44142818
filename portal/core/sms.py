"""Text messages: how long one is, and the providers that send them (issue 17).

A message is paid by the segment. Written with Vietnamese diacritics it goes as UCS-2: 70
characters in one segment, 67 in each of a longer one; without them (SMS_DIACRITICS=false, what
most Vietnamese brand-name gateways expect) as GSM 7-bit: 160, then 153. A message is written to
fit in SMS_MAX_SEGMENTS; one that would not is cut, never refused: the event it tells of has
happened whatever its message weighs.

Providers are one small interface, `send(message)`, chosen by SMS_PROVIDER: "console" prints
(development, like the mail worker), "record" keeps them on the app (tests), "http" posts to a
gateway (SMS_GATEWAY_URL, SMS_GATEWAY_KEY, SMS_BRAND_NAME). The outbox worker claims, retries with
back-off and fails a message exactly as it does a mail.
"""

import re
from collections.abc import Callable
from typing import Protocol

import requests
from flask import current_app
from unidecode import unidecode

# The GSM 03.38 alphabet, and the characters of its extension that take two places.
_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = "^{}\\[~]|€\f"
_GSM = frozenset(_GSM_BASIC) | frozenset(_GSM_EXTENDED)

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class Outgoing(Protocol):
    """What a provider is given: the outbox row of a text message."""

    id: int
    recipient: str
    body_text: str


def is_gsm(text: str) -> bool:
    return all(ch in _GSM for ch in text)


def length(text: str) -> int:
    """Places the text takes in its alphabet: GSM's extension characters take two; in UCS-2 a
    character beyond the basic plane takes two."""
    if is_gsm(text):
        return len(text) + sum(ch in _GSM_EXTENDED for ch in text)
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def segments(text: str) -> int:
    single, part = (GSM_SINGLE, GSM_PART) if is_gsm(text) else (UCS2_SINGLE, UCS2_PART)
    places = length(text)
    if places <= single:
        return 1
    return -(-places // part)


_LINK = re.compile(r"\s*https?://\S+$")


def fit(text: str, *, diacritics: bool, max_segments: int) -> str:
    """The message as it is sent: spaces run together, the diacritics dropped if asked, and cut
    with "…" to `max_segments`, keeping a link that ends it whole (the link is often the point)."""
    if not diacritics:
        # Plain GSM: letters without their marks, and what GSM cannot write (a control
        # character, a backquote, a symbol unidecode left) as a space.
        text = "".join(ch if ch in _GSM else " " for ch in unidecode(text))
    text = " ".join(text.split())
    if segments(text) <= max_segments:
        return text
    link_match = _LINK.search(text)
    link = link_match.group(0) if link_match else ""
    words = text[: link_match.start()] if link_match else text
    ellipsis = "..." if is_gsm(text) else "…"  # one character of another alphabet costs half
    # Whole words: a number or an amount cut in two would read as another one.
    while words and segments(words + ellipsis + link) > max_segments:
        words = words[: max(words.rstrip().rfind(" "), 0)]
    if words:
        return words.rstrip() + ellipsis + link
    while segments(text) > max_segments:  # a link longer than the message may be: cut as it is
        text = text[:-1]
    return text


def fit_for_app(text: str) -> str:
    config = current_app.config
    return fit(text, diacritics=config["SMS_DIACRITICS"], max_segments=config["SMS_MAX_SEGMENTS"])


# --- Providers ------------------------------------------------------------------------------


class SmsRefused(Exception):
    """The gateway refused the message for good (a wrong number, a 4xx answer): sending it
    again cannot help."""


def provider() -> Callable[[Outgoing], None]:
    kind = current_app.config["SMS_PROVIDER"]
    if kind == "console":
        return _print_sms
    if kind == "record":
        return _record_sms
    if kind == "http":
        return _http_sms
    raise RuntimeError(f"SMS_PROVIDER={kind!r}: expected console, record or http")


def _print_sms(message: Outgoing) -> None:
    print(
        f"----- sms #{message.id} -----\nTo: {message.recipient}\n\n{message.body_text}\n"
        "-----------------",
        flush=True,
    )


def _record_sms(message: Outgoing) -> None:
    """Testing provider: keeps what was sent on the app."""
    current_app.extensions.setdefault("sent_sms", []).append(message)


def _http_sms(message: Outgoing) -> None:
    """Post one message to the gateway, as JSON with the key as a bearer token.

    The gateway answers 2xx when it has taken the message. A 4xx answer other than 408 and 429
    refuses it for good (SmsRefused); anything else (5xx, 408, 429, no answer within
    SMS_TIMEOUT seconds) is a temporary failure, retried by the outbox. A retry carries the same
    `request_id`, the outbox row's own, with which the gateway drops a message it already took:
    an answer lost on the way back does not send the message twice.
    """
    config = current_app.config
    answer = requests.post(
        config["SMS_GATEWAY_URL"],
        json={
            "request_id": f"portal-{message.id}",
            "to": message.recipient.removeprefix("+"),
            "brand_name": config["SMS_BRAND_NAME"],
            "text": message.body_text,
        },
        headers={"Authorization": f"Bearer {config['SMS_GATEWAY_KEY']}"},
        timeout=config["SMS_TIMEOUT"],
    )
    if answer.ok:
        return
    detail = f"{answer.status_code} {answer.text[:500]}"
    if 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
        raise SmsRefused(detail)
    raise RuntimeError(detail)

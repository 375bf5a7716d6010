"""Sending one rendered message to one channel, with bounded retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from alerts.channels import Channel, EmailChannel, HttpChannel
from alerts.redact import redact

log = logging.getLogger("jixiao.alerts")

# Robot error codes worth retrying: system busy, and the per-minute rate limits
# (DingTalk 130101: 20 messages a minute per robot; WeCom 45009/45033).
_TRANSIENT_ERRCODES = {-1, 130101, 45009, 45033}


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    text: str  # in the channel's own markup (DingTalk/WeCom markdown, Slack mrkdwn, plain text)
    html: str | None = None
    data: dict = field(default_factory=dict)  # structured content for the generic webhook


class DeliveryError(Exception):
    """One failed attempt; ``transient`` ones are retried."""

    def __init__(self, detail: str, transient: bool = True):
        super().__init__(detail)
        self.transient = transient


class DeliveryFailed(Exception):
    """Every attempt failed; ``detail`` is already redacted."""

    def __init__(self, detail: str, attempts: int):
        super().__init__(detail)
        self.detail = detail
        self.attempts = attempts


def deliver(channel: Channel, message: Message) -> int:
    """Send ``message``, retrying transient failures; returns the number of attempts."""
    attempts = 0

    def attempt() -> None:
        nonlocal attempts
        attempts += 1
        try:
            _send(channel, message)
        except DeliveryError:
            raise
        except Exception as error:  # a bug in a sender must not lose the alert: keep it pending
            raise DeliveryError(f"internal error {type(error).__name__}: {error}", transient=False) from None

    def before_sleep(state) -> None:
        log.warning("alert to %s failed (attempt %d): %s; retrying", channel.name, state.attempt_number,
                    redact(state.outcome.exception(), channel.secrets()))

    retrying = Retrying(
        stop=stop_after_attempt(channel.retry.attempts),
        wait=wait_exponential(multiplier=channel.retry.backoff, max=channel.retry.max_backoff),
        retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.transient),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        retrying(attempt)
    except DeliveryError as error:
        raise DeliveryFailed(redact(error, channel.secrets()), attempts) from None
    return attempts


def _send(channel: Channel, message: Message) -> None:
    if isinstance(channel, EmailChannel):
        _send_email(channel, message)
    elif isinstance(channel, HttpChannel):
        _send_http(channel, message)
    else:
        raise DeliveryError(f"no sender for channel type {channel.type}", transient=False)


# --- HTTP robots and webhooks ------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _payload(channel: HttpChannel, message: Message) -> dict:
    if channel.type == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.text}}
    if channel.type == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": message.text}}
    if channel.type == "slack":
        return {"text": message.text}
    return {"kind": message.kind, "title": message.title, "text": message.text, **message.data}


def _send_http(channel: HttpChannel, message: Message) -> None:
    params = {}
    if channel.type == "dingtalk" and channel.secret:
        timestamp = int(time.time() * 1000)  # DingTalk rejects signatures older than an hour
        params = {"timestamp": str(timestamp), "sign": dingtalk_sign(channel.secret, timestamp)}
    headers = dict(channel.headers)
    try:
        with httpx.Client(timeout=channel.timeout, follow_redirects=False) as client:
            # httpx's params= would replace the access_token query, not add to it.
            url = httpx.URL(channel.url).copy_merge_params(params)
            response = client.post(url, json=_payload(channel, message), headers=headers)
    except httpx.TimeoutException:
        raise DeliveryError(f"timeout after {channel.timeout:g} s") from None
    except httpx.TransportError as error:
        raise DeliveryError(f"connection failed: {type(error).__name__}: {error}") from None
    body = response.text[:300]
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryError(f"HTTP {response.status_code}: {body}")
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {body}", transient=False)
    if channel.type in ("dingtalk", "wecom"):
        _check_errcode(response)


def _check_errcode(response: httpx.Response) -> None:
    # The robots answer HTTP 200 for rejected messages (bad keyword, bad signature, rate
    # limit) and say so only in the body.
    try:
        result = response.json()
        code = int(result.get("errcode", 0))
    except (ValueError, TypeError, AttributeError):
        raise DeliveryError(f"unexpected robot response: {response.text[:200]}") from None
    if code != 0:
        raise DeliveryError(f"errcode {code}: {result.get('errmsg', '')}", transient=code in _TRANSIENT_ERRCODES)


# --- e-mail ---------------------------------------------------------------------------------


def _email(channel: EmailChannel, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.title
    email["From"] = channel.sender
    email["To"] = ", ".join(channel.to)
    email["Date"] = formatdate(localtime=True)
    email["Message-ID"] = make_msgid(domain=channel.sender.rpartition("@")[2] or None)
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


def _send_email(channel: EmailChannel, message: Message) -> None:
    email = _email(channel, message)
    context = ssl.create_default_context(cafile=channel.ca_file)
    try:
        if channel.security == "ssl":
            server = smtplib.SMTP_SSL(channel.host, channel.port, timeout=channel.timeout, context=context)
        else:
            server = smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout)
        with server:
            if channel.security == "starttls":
                server.starttls(context=context)
            if channel.username:
                server.login(channel.username, channel.password or "")
            refused = server.send_message(email)
    except smtplib.SMTPNotSupportedError as error:
        raise DeliveryError(f"SMTP: {error}", transient=False) from None
    except smtplib.SMTPRecipientsRefused as error:
        raise DeliveryError(f"SMTP refused every recipient: {_codes(error.recipients)}", transient=False) from None
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        # 4xx is "try again later" in SMTP; 5xx (bad login, rejected sender) will not fix itself.
        raise DeliveryError(f"SMTP {error.smtp_code}: {text}", transient=400 <= error.smtp_code < 500) from None
    except (socket.timeout, TimeoutError):
        raise DeliveryError(f"SMTP timeout after {channel.timeout:g} s") from None
    except ssl.SSLError as error:
        raise DeliveryError(f"SMTP TLS error: {error.reason or error}", transient=False) from None
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"SMTP: {type(error).__name__}: {error}") from None
    if refused:
        log.warning("alert e-mail via %s: refused recipients %s", channel.name, _codes(refused))


def _codes(recipients: dict) -> str:
    return ", ".join(f"{address} ({code})" for address, (code, _) in recipients.items())

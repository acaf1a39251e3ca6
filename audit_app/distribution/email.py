"""E-mail each branch its report over SMTP: the PDF attached, or a signed link when large.

Idempotent per location, period and recipient (the send log says what was sent) unless
`resend`; one refused recipient or one failed render is logged and the rest go on.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Location, SendStatus
from ..reports.labels import labels
from ..reports.labels import language as pick_language
from ..reports.service import file_name, render_location
from . import sendlog
from .links import external_url, make_token


@dataclass
class DistributionResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Mailer:
    """One SMTP connection for a run, reopened when the server drops it."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=cfg["SMTP_TIMEOUT_S"])
        try:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            self.smtp = self._connect()
            self.smtp.send_message(message)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def build_message(
    location: Location, period: str, recipient: str, pdf: bytes, lang: str
) -> tuple[EmailMessage, str]:
    """The e-mail to one recipient and how the PDF travels ("attachment" or "link")."""
    cfg = current_app.config
    t = labels(lang)
    message = EmailMessage()
    message["From"] = cfg["SMTP_FROM"]
    message["To"] = recipient
    message["Subject"] = t["email_subject"].format(location=location.name, period=period)
    domain = cfg["SMTP_FROM"].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    if len(pdf) <= cfg["REPORT_ATTACH_MAX_BYTES"]:
        message.set_content(
            t["email_body_attached"].format(location=location.name, period=period) + "\n"
        )
        message.add_attachment(
            pdf,
            maintype="application",
            subtype="pdf",
            filename=file_name(location.code, period),
        )
        return message, "attachment"
    days = cfg["REPORT_LINK_MAX_AGE_DAYS"]
    expires = (datetime.now(UTC) + timedelta(days=days)).date().isoformat()
    url = external_url(make_token(location.id, period, lang))
    message.set_content(
        t["email_body_link"].format(location=location.name, period=period, expires=expires)
        + f"\n\n{url}\n"
    )
    return message, "link"


def distribute(
    period: str,
    *,
    resend: bool = False,
    location_ids: Iterable[int] | None = None,
    progress: Callable[[Location], None] | None = None,
) -> DistributionResult:
    """E-mail every active location in scope its report for `period`; log every attempt."""
    query = select(Location).where(Location.active).order_by(Location.code)
    if location_ids is not None:
        query = query.where(Location.id.in_(list(location_ids)))
    locations = db.session.scalars(query).all()
    result = DistributionResult()
    mailer = Mailer(current_app.config)
    try:
        for location in locations:
            _one(location, period, resend, mailer, result)
            if progress:
                progress(location)
    finally:
        mailer.close()
    return result


def _one(location: Location, period: str, resend: bool, mailer: Mailer, result) -> None:
    wanted = sendlog.recipients(location)
    done = set() if resend else sendlog.already_sent(location.id, period)
    todo = [r for r in wanted if r not in done]
    result.skipped += len(wanted) - len(todo)
    if not todo:
        return
    lang = pick_language(None, location.language)
    try:
        pdf = render_location(location.id, period, lang).data
    except Exception as exc:  # a failed render is logged per recipient; the others go on
        for recipient in todo:
            sendlog.record(
                location.id, period, recipient, SendStatus.FAILED, error=f"render: {exc}"
            )
        result.failed += len(todo)
        result.errors.append(f"{location.code}: render failed: {exc}")
        return
    for recipient in todo:
        message, method = build_message(location, period, recipient, pdf, lang)
        try:
            mailer.send(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            error = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        except (smtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            mailer.close()
        else:
            sendlog.record(
                location.id,
                period,
                recipient,
                SendStatus.SENT,
                method=method,
                message_id=message["Message-ID"],
            )
            result.sent += 1
            continue
        sendlog.record(
            location.id, period, recipient, SendStatus.FAILED, method=method, error=error
        )
        result.failed += 1
        result.errors.append(f"{location.code} -> {recipient}: {error}")

"""E-mailing reports through a real SMTP server on loopback, with the send log."""

from __future__ import annotations

import email
import re
import socket
import subprocess

import pytest
from aiosmtpd.controller import Controller

from tests.reports.conftest import SHOPPER_EMAIL, SHOPPER_NAME

REFUSED = "refused@example.com"


class Handler:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp(app):
    handler = Handler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    yield handler
    controller.stop()


def _log(app):
    from audit_app.extensions import db
    from audit_app.models import SendLog

    with app.app_context():
        rows = [
            (r.recipient, r.status, r.method, r.message_id, r.error, r.period, r.location_id, r.at)
            for r in db.session.query(SendLog).order_by(SendLog.id)
        ]
        db.session.remove()
    return rows


def test_distribute_attaches_logs_is_idempotent_survives_refusal_and_resends(
    app, world, runner, smtp, make_user, tmp_path
):
    make_user("branch_manager", email=REFUSED, location_code="KL-900")
    result = runner.invoke(args=["reports", "distribute", "--period", "2026-10"])
    assert result.exit_code == 1  # one refused recipient
    assert REFUSED in result.output
    rcpts = sorted(r for tos, _ in smtp.messages for r in tos)
    assert rcpts == ["branch900@example.com", "jkt900@example.com"]
    log = _log(app)
    failed = [row for row in log if row[1] == "failed"]
    assert len(failed) == 1 and failed[0][0] == REFUSED and failed[0][4].startswith("550")
    sent = [row for row in log if row[1] == "sent"]
    assert {row[5] for row in sent} == {"2026-10"} and all(row[3] and row[7] for row in sent)
    for _, raw in smtp.messages:
        message = email.message_from_bytes(raw)
        parts = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert len(parts) == 1
        pdf = parts[0].get_payload(decode=True)
        path = tmp_path / "m.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        everything = re.sub(r"\s+", "", text + raw.decode(errors="replace"))
        assert SHOPPER_NAME.replace(" ", "") not in everything
        assert SHOPPER_EMAIL not in everything and "Zelda" not in everything

    # a rerun sends only what is missing (the refused one, refused again)
    smtp.messages.clear()
    result = runner.invoke(args=["reports", "distribute", "--period", "2026-10"])
    assert smtp.messages == [] and "2 already sent" in result.output
    # --resend sends again
    result = runner.invoke(args=["reports", "distribute", "--period", "2026-10", "--resend"])
    assert len(smtp.messages) == 2


def test_large_reports_go_as_a_signed_link(app, world, runner, smtp, client):
    app.config["REPORT_ATTACH_MAX_BYTES"] = 10
    try:
        result = runner.invoke(args=["reports", "distribute", "--period", "2026-10"])
    finally:
        app.config["REPORT_ATTACH_MAX_BYTES"] = 5 * 1024 * 1024
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(smtp.messages[0][1])
    assert not [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    body = message.get_payload(decode=True).decode()
    url = re.search(r"http://\S+/r/(\S+)", body).group(1)
    assert client.get(f"/r/{url}").data.startswith(b"%PDF")
    assert {row[2] for row in _log(app)} == {"link"}


def test_admin_sees_the_send_log(app, world, runner, smtp, login_as):
    runner.invoke(args=["reports", "distribute", "--period", "2026-10"])
    page = login_as("admin").get("/admin/send-log?period=2026-10")
    assert page.status_code == 200 and b"branch900@example.com" in page.data

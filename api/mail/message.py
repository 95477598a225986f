"""The e-mail a handoff becomes: headers that make a resend recognisable, no national ID."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

from core.national_id import mask_in_text
from graphs.supervision.outbox import MailHandoff

MAIL_ID_HEADER = "X-Switchboard-Mail-Id"


def message_id(mail: MailHandoff, sender: str) -> str:
    """One Message-ID per handoff, the same on every attempt: a copy sent twice (a worker that
    died between the server's acceptance and its record) is the same message to mail clients
    and to anyone comparing headers."""
    domain = sender.rpartition("@")[2] or "switchboard.local"
    return f"<{mail.mail_id}@{domain}>"


def build_message(mail: MailHandoff, sender: str) -> EmailMessage:
    """Plain-text mail for the agents' mailbox; the body is the handoff's (escalation, summary,
    conversation) with any national ID a customer typed masked."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.email_to)
    message["Subject"] = mask_in_text(mail.subject)
    message["Date"] = formatdate(mail.created_at, localtime=False, usegmt=True)
    message["Message-ID"] = message_id(mail, sender)
    message[MAIL_ID_HEADER] = mail.mail_id
    message.set_content(mask_in_text(mail.body))
    return message

"""Every email the project sends is built here: a subject, a text body and an HTML body, in Chinese."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def _absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


def notice_email(message, recipients: list[str]) -> EmailMultiAlternatives:
    """The email for a notifications.Message (提醒, 催办, 函告, 通报, 整改回复), with the letter's or the
    circular's PDF attached when there is one."""
    context = {
        "message": message,
        "paragraphs": [line for line in message.body.splitlines() if line.strip()],
        "url": _absolute(message.link) if message.link else "",
    }
    subject = " ".join(render_to_string("emails/notice_subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/notice.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    email.attach_alternative(render_to_string("emails/notice.html", context), "text/html")
    document = message.letter or message.circular
    if document is not None and document.pdf:
        with document.pdf.open("rb") as fh:
            email.attach(f"{document.number}.pdf", fh.read(), "application/pdf")
    return email

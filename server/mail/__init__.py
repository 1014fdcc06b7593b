"""Adapters to the mail protocols (issue 17): SMTP sending (``smtp.py``), IMAP reading (``imap.py``)."""

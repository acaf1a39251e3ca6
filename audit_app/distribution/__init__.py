"""Getting reports to branches: signed links, e-mail and the send log."""

"""Presentation of reports as documents (Markdown, plain text, one self-contained HTML file with
charts), shared by the command line and the web app. Imports only services, domain and i18n."""

"""Visit documents as PDF (ReportLab, Qt-free): certificat de visite, décision de classement, advisory report."""

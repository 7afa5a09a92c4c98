# Arabic as this site writes it: Latin digits (as on the site's Arabic pages and in most Arab
# newsrooms' web copy), grouped by three with a comma, and a date-and-time Django's Arabic
# locale does not define (it fell back to the English "Dec. 6, 2026, 5 p.m.", which reads
# jumbled right to left). static/js/live.js formats live numbers the same way.
DATETIME_FORMAT = "j F Y، H:i"
NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."

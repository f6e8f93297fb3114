"""English as Europeans write it: day before month, a 24-hour clock, weeks from Monday.

Django's `en` formats are American (`12/05/2026 10 a.m.` for 5 December); these write the day
first, as British English (`en_GB`) and the platform's other languages do, and the 24-hour clock of
the French and Italian pages. Keys left out (numbers) stay Django's `en`.
The *_FORMAT strings use Django's date format syntax, the *_INPUT_FORMATS Python's strptime.
"""

DATE_FORMAT = "j F Y"  # 5 December 2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 5 December 2026, 14:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 5 December
SHORT_DATE_FORMAT = "d/m/Y"  # 05/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 05/12/2026 14:30
FIRST_DAY_OF_WEEK = 1  # Monday

# ISO first (what date and datetime-local inputs send), then day/month/year; never month/day/year,
# which would read 05/12/2026 as 12 May.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-05
    "%d/%m/%Y",  # 05/12/2026
    "%d/%m/%y",  # 05/12/26
    "%d %b %Y",  # 5 Dec 2026
    "%d %B %Y",  # 5 December 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-12-05 14:30:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2026-12-05 14:30:59.000200
    "%Y-%m-%d %H:%M",  # 2026-12-05 14:30
    "%d/%m/%Y %H:%M:%S",  # 05/12/2026 14:30:59
    "%d/%m/%Y %H:%M:%S.%f",  # 05/12/2026 14:30:59.000200
    "%d/%m/%Y %H:%M",  # 05/12/2026 14:30
    "%d/%m/%y %H:%M:%S",  # 05/12/26 14:30:59
    "%d/%m/%y %H:%M",  # 05/12/26 14:30
]

# How Italian writes dates in prose: "12 marzo 2027", "12 marzo 2027, 19:00". Django's own
# Italian formats capitalise the month ("12 Marzo 2027", "F"); "E" is the month as it reads
# inside a sentence, in lower case. Only the prose formats change; the rest is Django's.
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "E Y"

# How English writes dates in prose: "March 12, 2027", "March 12, 2027, 7 p.m.". Django's own
# English formats abbreviate some months in the Associated Press style ("Dec. 31, 2026").
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, P"

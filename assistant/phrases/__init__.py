"""What the assistant says, in both languages: the sentence table (texts) and the way numbers,
times, dates and lists are spoken (locale).

It sits below both the dialog and the skills and imports neither, so the two can use the same
wording without importing each other (they once did, through a lazy import that hid the cycle).
"""

"""Qt item models over plain domain data (no SQL in data())."""

"""Which usernames look alike: the confusable skeleton of Unicode TS #39.

Usernames are limited to `[A-Za-z0-9_-]`, so the rows of Unicode's
confusables.txt that apply are those whose source and target both lie in that
alphabet; there are four. Two usernames that a reader could take for each
other (`paypal` / `paypaI`, `model` / `rnodel`, `g00gle` / `Google`) have the
same key, and the key is unique in the database.
"""

# confusables.txt (Unicode 15): source -> prototype, within the username alphabet.
CONFUSABLE_PROTOTYPES = {"0": "O", "1": "l", "I": "l", "m": "rn"}

_TO_PROTOTYPE = str.maketrans(CONFUSABLE_PROTOTYPES)


def username_skeleton(username: str) -> str:
    """The key two look-alike usernames share, ignoring case too.

    Names are compared as typed, lower-cased and upper-cased: shown in
    capitals, `ADMlN` reads as `ADMIN`, the same name as `admin`. So the
    skeleton is taken of the upper-cased name, before lowercasing (`I` is
    confusable with `l`) and again after it (`M` lowers to `m`, confusable
    with `rn`).
    """
    return username.upper().translate(_TO_PROTOTYPE).lower().translate(_TO_PROTOTYPE)

"""Fill the English catalogue: the source strings are English, so each msgstr is its msgid.

Run by `make translations` after `pybabel update`; Vietnamese is translated by a person.
"""

import sys

from babel.messages.pofile import read_po, write_po


def fill(path: str) -> int:
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100)
    return filled


if __name__ == "__main__":
    for po_path in sys.argv[1:]:
        print(f"{po_path}: filled {fill(po_path)} strings")

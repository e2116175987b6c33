"""Social preview cards: the og:image PNG of a model or comparison page.

`card` decides what a card says from the page's facts (pure, no ORM, no drawing); `render` draws it with
Pillow. The views serve them under each page's URL + `card.png`, through the revision-keyed page cache.
"""

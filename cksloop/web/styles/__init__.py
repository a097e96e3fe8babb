"""Style pages: the collection list and each style with its sizes, composition and garments."""

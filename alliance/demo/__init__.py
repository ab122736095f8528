"""Demo and benchmark data: the content `seed_demo` writes (drawn from the seed essay on
the #fightinequality alliance) and the vocabulary `seed_bulk` composes organisations from.

Every organisation, person and website here is fictional: websites use the reserved
`.example` top-level domain and email addresses subdomains of `example.org` (RFC 2606).
"""

"""The assistant. ``pipeline`` runs one turn: the message read into constraints (``constraints``,
``lexicon``, ``matching``, ``text``), the items that may be offered chosen in code (``candidates``), the
reply from the model (``ai``, ``openai_responder``, checked by ``guard``) or the deterministic
``fallback``, and the conversation's context and AI quota in the KV. ``requests`` is the API's request
body; ``limits`` the sizes every part shares."""

__all__: list[str] = []

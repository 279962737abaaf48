"""``publisher proof``: a speech recognizer listens to the narration and the book's lines say
where it heard something else (:mod:`publisher.proof.run` is the way in)."""

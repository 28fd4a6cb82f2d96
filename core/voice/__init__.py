"""The LoRA voice: the frozen god taught by an adapter to read and write Russian and English.

``runtime`` is what the service runs (its forward passes go through the god's worker);
``data``, ``samples``, ``grammar`` and ``training`` make a voice; ``measure`` scores one;
``adapter/`` is the voice that ships in the package.
"""

"""The wire contract: y-protocols framing, Tandem's one extension, and named close codes. No I/O."""

"""Policy instruments: one module per instrument; the zone table the firms see."""

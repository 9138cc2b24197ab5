"""Campaign attribution: which touches a milestone is credited to, and how much each gets."""

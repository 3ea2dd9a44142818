"""The organisers' follow-up list: reports due, late, returned or waiting, and milestones to verify."""

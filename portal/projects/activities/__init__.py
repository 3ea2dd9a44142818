"""Support activities (Project 939's trainings, workshops, forums, trade fairs, mentoring) and who attended."""

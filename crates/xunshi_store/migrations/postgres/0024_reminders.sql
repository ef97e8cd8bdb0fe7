-- The reminders of the plan and report clocks read the running clocks of one feedback date
-- and level a page at a time, by inspection and unit (as does the recount when a year's
-- holiday arrangement is entered): with those two columns the index gives each page in order,
-- without sorting the group. It keeps its name and its leading columns, which the dashboard's
-- counts read.
DROP INDEX running_clocks_due;
CREATE INDEX running_clocks_due
    ON running_clocks (clock, feedback_on, dispatcher_level, inspection_id, unit_id);

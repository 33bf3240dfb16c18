// Start-up probe: no static import, so this line is the first line of user code to run.
process.stdout.write(`FIRST ${process.memoryUsage().rss}\n`);

"""The agent: prompts, the file tools and the loop that runs them against an overlay."""

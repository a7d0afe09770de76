"""The Textual user interface. It talks to AWS only through orgtui.aws, in workers."""

"""What the Facebook Page and Instagram channels share: Meta webhooks, the Graph API, reply rules."""

"""The message services that channel plugins call, under their long-standing names.

The hub's own code imports from the modules by concern: :mod:`.outbound` (queueing messages,
staff replies, resends), :mod:`.sending` (the send job, multi-part bookkeeping, delivery
receipts) and :mod:`.receiving` (routing inbound messages and their files). Outside channel
packages (docs/channels.md) keep importing these names from here.
"""

from __future__ import annotations

from .outbound import message_send_direct, outbound_queue
from .receiving import message_receive
from .sending import message_part_record, message_sent_parts

__all__ = ["message_part_record", "message_receive", "message_send_direct", "message_sent_parts", "outbound_queue"]

from __future__ import annotations


def list_runs(
    self, thread_id: str, limit: int, order: str, after: str, before: str
) -> ListRunsResponse:
    return self._call(thread_id, limit, order, after, before)


async def alist_runs(
    self, thread_id: str, limit: int, order: str, after: str, before: str
) -> ListRunsResponse:
    return await self._call(thread_id, limit, order, after, before)


def create_run(
    self,
    thread_id: str,
    *,
    assistant_id: str,
    additional_instructions: str | None | Unset = UNSET,
    a_parameter_whose_name_is_long_enough: (
        dict[str, list[CreateMessageRequestContentItem]] | None | Unset
    ) = UNSET,
    timeout: float | None = None,
) -> Run:
    return self._create(thread_id, assistant_id)

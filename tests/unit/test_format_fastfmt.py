"""fastfmt gives black's bytes without running black on the whole file, also for the statements
it hands to black alone."""

from __future__ import annotations

import black
import pytest

from runmodels.format import black_format, fastfmt

# a signature whose annotation is too long for a line even when wrapped in brackets, as the
# client writes for `Model | ModelParam | None | Unset` with long schema names
LONG_PARAMETER = '''\
class Client:
    def create(
        self,
        *,
        part: ChatCompletionRequestMessageContentPartTextWithALongName | ChatCompletionRequestMessageContentPartTextWithALongNameParam | None | Unset = UNSET,
        timeout: float | None = None,
    ) -> None:
        return None
'''


@pytest.mark.skipif(not fastfmt.supported(), reason="fastfmt is tied to the pinned black")
def test_a_parameter_too_long_to_wrap_is_laid_out_by_black_not_the_whole_file() -> None:
    mode = black_format._mode()
    fast = fastfmt.format_module(LONG_PARAMETER, mode)
    assert fast is not None  # the file stays on the fast path
    assert fast == black.format_str(LONG_PARAMETER, mode=mode)

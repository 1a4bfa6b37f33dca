"""Names of recordings the PBX's lines do not spell out."""


def voicemail_file_name(unique_call_id: str, user: str) -> str:
    """The file a voicemail of a log-fed PBX is looked for under (3CX's CallFlow line names no
    file): ``vmail_<unique_call_id>_<extension>.wav`` in the extension's folder of the PBX's
    recordings folder. The simulator writes its voicemails under this name."""
    return f"vmail_{unique_call_id}_{user}.wav"

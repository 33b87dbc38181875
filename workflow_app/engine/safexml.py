"""Safe parsing of uploaded XML: no DTDs, no entities, no network, no huge trees."""

import io

from lxml import etree


class UnsafeXml(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse(content: bytes) -> etree._ElementTree:
    """Parse ``content``; raise ``etree.XMLSyntaxError`` for bad XML and ``UnsafeXml`` for any
    document type declaration (the carrier of external entities and entity-expansion bombs)."""
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise UnsafeXml("DOCTYPE and ENTITY declarations are not allowed in uploaded XML", _line_of(content))
    tree = etree.parse(io.BytesIO(content), _parser())
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml("DOCTYPE declarations are not allowed in uploaded XML", 1)
    for node in tree.iter(etree.Entity):
        raise UnsafeXml("entity references are not allowed in uploaded XML", node.sourceline)
    return tree


def _line_of(content: bytes) -> int:
    upper = content.upper()
    at = min(i for i in (upper.find(b"<!DOCTYPE"), upper.find(b"<!ENTITY")) if i >= 0)
    return content[:at].count(b"\n") + 1


def line_of_id(tree, element_id: str | None) -> int | None:
    """The source line of the element with ``id`` (the parser's semantic errors lack it)."""
    if tree is None or not element_id:
        return None
    found = tree.xpath("//*[@id=$i]", i=element_id)
    return found[0].sourceline if found else None

"""IRIs of the RDF, RDFS, OWL and XSD vocabulary the OWL 2 RL rules talk about.

Plain strings, so the engine can intern them once in its term dictionary.
"""

from __future__ import annotations

from milgraph.namespaces import OWL, RDF, RDFS, XSD

#: Namespaces of the built-in vocabulary: inferred triples about these terms are noise.
BUILTIN_NAMESPACES = (RDF, RDFS, OWL, XSD)

TYPE = RDF + "type"
FIRST = RDF + "first"
REST = RDF + "rest"
NIL = RDF + "nil"
RDF_PROPERTY = RDF + "Property"
LANG_STRING = RDF + "langString"
PLAIN_LITERAL = RDF + "PlainLiteral"
XML_LITERAL = RDF + "XMLLiteral"
HTML = RDF + "HTML"

SUBCLASS = RDFS + "subClassOf"
SUBPROPERTY = RDFS + "subPropertyOf"
DOMAIN = RDFS + "domain"
RANGE = RDFS + "range"
DATATYPE = RDFS + "Datatype"
RDFS_LITERAL = RDFS + "Literal"

SAME_AS = OWL + "sameAs"
DIFFERENT_FROM = OWL + "differentFrom"
ALL_DIFFERENT = OWL + "AllDifferent"
MEMBERS = OWL + "members"
DISTINCT_MEMBERS = OWL + "distinctMembers"
THING = OWL + "Thing"
NOTHING = OWL + "Nothing"
CLASS = OWL + "Class"
OBJECT_PROPERTY = OWL + "ObjectProperty"
DATATYPE_PROPERTY = OWL + "DatatypeProperty"
ANNOTATION_PROPERTY = OWL + "AnnotationProperty"
EQUIVALENT_CLASS = OWL + "equivalentClass"
EQUIVALENT_PROPERTY = OWL + "equivalentProperty"
INVERSE_OF = OWL + "inverseOf"
FUNCTIONAL = OWL + "FunctionalProperty"
INVERSE_FUNCTIONAL = OWL + "InverseFunctionalProperty"
SYMMETRIC = OWL + "SymmetricProperty"
ASYMMETRIC = OWL + "AsymmetricProperty"
TRANSITIVE = OWL + "TransitiveProperty"
IRREFLEXIVE = OWL + "IrreflexiveProperty"
PROPERTY_CHAIN = OWL + "propertyChainAxiom"
PROPERTY_DISJOINT = OWL + "propertyDisjointWith"
ALL_DISJOINT_PROPERTIES = OWL + "AllDisjointProperties"
ALL_DISJOINT_CLASSES = OWL + "AllDisjointClasses"
DISJOINT_WITH = OWL + "disjointWith"
COMPLEMENT_OF = OWL + "complementOf"
HAS_KEY = OWL + "hasKey"
ON_PROPERTY = OWL + "onProperty"
ON_CLASS = OWL + "onClass"
SOME_VALUES_FROM = OWL + "someValuesFrom"
ALL_VALUES_FROM = OWL + "allValuesFrom"
HAS_VALUE = OWL + "hasValue"
MAX_CARDINALITY = OWL + "maxCardinality"
MAX_QUALIFIED_CARDINALITY = OWL + "maxQualifiedCardinality"
INTERSECTION_OF = OWL + "intersectionOf"
UNION_OF = OWL + "unionOf"
ONE_OF = OWL + "oneOf"
SOURCE_INDIVIDUAL = OWL + "sourceIndividual"
ASSERTION_PROPERTY = OWL + "assertionProperty"
TARGET_INDIVIDUAL = OWL + "targetIndividual"
TARGET_VALUE = OWL + "targetValue"

XSD_STRING = XSD + "string"

#: Predicates whose triples make up the T-box: the rule plans are compiled from them, so a new
#: one (rare: only when the A-box entails schema) makes the engine re-close the T-box.
SCHEMA_PREDICATES = frozenset({
    SUBCLASS, SUBPROPERTY, DOMAIN, RANGE, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, INVERSE_OF,
    PROPERTY_CHAIN, PROPERTY_DISJOINT, DISJOINT_WITH, COMPLEMENT_OF, HAS_KEY, ON_PROPERTY,
    ON_CLASS, SOME_VALUES_FROM, ALL_VALUES_FROM, HAS_VALUE, MAX_CARDINALITY,
    MAX_QUALIFIED_CARDINALITY, INTERSECTION_OF, UNION_OF, ONE_OF, MEMBERS, DISTINCT_MEMBERS,
    FIRST, REST,
})

#: Classes whose instances are schema elements (``p rdf:type owl:TransitiveProperty`` ...).
SCHEMA_TYPES = frozenset({
    CLASS, OBJECT_PROPERTY, DATATYPE_PROPERTY, RDF_PROPERTY, FUNCTIONAL, INVERSE_FUNCTIONAL,
    SYMMETRIC, ASYMMETRIC, TRANSITIVE, IRREFLEXIVE, ALL_DISJOINT_CLASSES,
    ALL_DISJOINT_PROPERTIES, ALL_DIFFERENT,
})

#: owlrl's prp-ap list: the annotation properties OWL 2 RL types as owl:AnnotationProperty.
ANNOTATION_PROPERTIES = (
    RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy",
    OWL + "deprecated", OWL + "versionInfo", OWL + "priorVersion",
    OWL + "backwardCompatibleWith", OWL + "incompatibleWith",
)

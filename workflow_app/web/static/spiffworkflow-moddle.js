/* The SpiffWorkflow moddle extension for bpmn-js (the elements SpiffWorkflow 3 and spiff-arena's
   bpmn-js-spiffworkflow read and write), so the modeler reads, edits and writes them as typed elements.
   Elements of this namespace not listed here are added at import time (modeler.js). */
window.SpiffworkflowModdle = {
 "name": "SpiffWorkflow",
 "uri": "http://spiffworkflow.org/bpmn/schema/1.0/core",
 "prefix": "spiffworkflow",
 "associations": [],
 "xml": {
  "tagAlias": "lowerCase"
 },
 "types": [
  {
   "name": "PreScript",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "PostScript",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "MessagePayload",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "MessageVariable",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "CalledDecisionId",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "InstructionsForEndUser",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "GuestConfirmation",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "Category",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "SignalButtonLabel",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "PayloadExpression",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "VariableName",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "FormJsonSchemaFilename",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "FormUiSchemaFilename",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "InputJson",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "ExpectedOutputJson",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "AllowGuest",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "value",
     "isBody": true,
     "type": "Boolean"
    }
   ]
  },
  {
   "name": "ProcessVariableCorrelation",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "propertyId",
     "type": "String",
     "xml": {
      "serialize": "property"
     }
    },
    {
     "name": "expression",
     "type": "String",
     "xml": {
      "serialize": "property"
     }
    }
   ]
  },
  {
   "name": "Properties",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "properties",
     "type": "Property",
     "isMany": true
    }
   ]
  },
  {
   "name": "Property",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "name",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "value",
     "isAttr": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "ServiceTaskOperator",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "id",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "resultVariable",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "parameterList",
     "type": "Parameters"
    }
   ]
  },
  {
   "name": "Parameters",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "parameters",
     "type": "Parameter",
     "isMany": true
    }
   ]
  },
  {
   "name": "Parameter",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "id",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "type",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "value",
     "isAttr": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "UnitTests",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "unitTests",
     "type": "UnitTest",
     "isMany": true
    }
   ]
  },
  {
   "name": "UnitTest",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "id",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "inputJson",
     "type": "InputJson"
    },
    {
     "name": "expectedOutputJson",
     "type": "ExpectedOutputJson"
    }
   ]
  },
  {
   "name": "Retry",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "retries",
     "isAttr": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "TaskMetadataValues",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "values",
     "type": "TaskMetadataValue",
     "isMany": true
    }
   ]
  },
  {
   "name": "TaskMetadataValue",
   "superClass": [
    "Element"
   ],
   "properties": [
    {
     "name": "name",
     "isAttr": true,
     "type": "String"
    },
    {
     "name": "value",
     "isAttr": true,
     "type": "String"
    }
   ]
  },
  {
   "name": "LoopAttributes",
   "extends": [
    "bpmn:MultiInstanceLoopCharacteristics",
    "bpmn:StandardLoopCharacteristics"
   ],
   "properties": [
    {
     "name": "scriptsOnInstances",
     "isAttr": true,
     "type": "Boolean"
    },
    {
     "name": "isOutputSynced",
     "isAttr": true,
     "type": "Boolean"
    }
   ]
  }
 ]
};

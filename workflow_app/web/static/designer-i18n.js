/* zh-CN for bpmn-js (palette, context pad, drill-down), its properties panel and dmn-js (the
   decision-table editor): a `translate` module override, used when the page is in Chinese
   (<html lang="zh-CN">). English keeps the libraries' own strings. Unknown strings fall back to
   English. Placeholders such as {element} are filled in as the libraries do. */
(function () {
  "use strict";
  var ZH = {
    // palette and context pad
    "Activate hand tool": "抓手工具", "Activate lasso tool": "套索工具",
    "Activate create/remove space tool": "插入/删除空白工具", "Activate global connect tool": "连线工具",
    "Create start event": "创建开始事件", "Create end event": "创建结束事件",
    "Create intermediate/boundary event": "创建中间/边界事件", "Create task": "创建任务",
    "Create gateway": "创建网关", "Create expanded sub-process": "创建展开的子流程",
    "Create pool/participant": "创建泳池/参与者", "Create data object reference": "创建数据对象引用",
    "Create data store reference": "创建数据存储引用", "Create group": "创建分组",
    "Append task": "追加任务", "Append end event": "追加结束事件", "Append gateway": "追加网关",
    "Append intermediate/boundary event": "追加中间/边界事件", "Append receive task": "追加接收任务",
    "Append message intermediate catch event": "追加消息中间捕获事件",
    "Append timer intermediate catch event": "追加定时中间捕获事件",
    "Append conditional intermediate catch event": "追加条件中间捕获事件",
    "Append signal intermediate catch event": "追加信号中间捕获事件",
    "Append compensation activity": "追加补偿活动", "Add text annotation": "添加文本注释",
    "Add lane above": "在上方添加泳道", "Add lane below": "在下方添加泳道",
    "Divide into two lanes": "分为两条泳道", "Divide into three lanes": "分为三条泳道",
    "Change element": "更改元素类型", "Change type": "更改类型", "Connect to other element": "连接到其他元素",
    "Connect using association": "用关联连接", "Connect using data input association": "用数据输入关联连接",
    "Delete": "删除", "Open {element}": "打开 {element}", "Search in diagram": "在图中搜索",
    "Task": "任务", "User task": "用户任务", "Service task": "服务任务", "Script task": "脚本任务",
    "Business rule task": "业务规则任务", "Manual task": "手工任务", "Send task": "发送任务",
    "Receive task": "接收任务", "Call activity": "调用活动", "Sub-process (collapsed)": "子流程（折叠）",
    "Sub-process (expanded)": "子流程（展开）", "Exclusive gateway": "排他网关", "Parallel gateway": "并行网关",
    "Inclusive gateway": "包容网关", "Event-based gateway": "事件网关", "Complex gateway": "复杂网关",
    "Start event": "开始事件", "End event": "结束事件", "Intermediate throw event": "中间抛出事件",
    // properties panel header: the element's type
    "User Task": "用户任务", "Service Task": "服务任务", "Script Task": "脚本任务", "Business Rule Task": "业务规则任务",
    "Manual Task": "手工任务", "Send Task": "发送任务", "Receive Task": "接收任务", "Call Activity": "调用活动",
    "Collapsed Sub Process": "子流程（折叠）", "Expanded Sub Process": "子流程（展开）", "Event Sub Process": "事件子流程",
    "Transaction": "事务", "Start Event": "开始事件", "End Event": "结束事件", "Boundary Event": "边界事件",
    "Intermediate Throw Event": "中间抛出事件", "Intermediate Catch Event": "中间捕获事件",
    "Timer Start Event": "定时开始事件", "Message Start Event": "消息开始事件", "Signal Start Event": "信号开始事件",
    "Timer Boundary Event": "定时边界事件", "Timer Boundary Event (Non Interrupting)": "定时边界事件（不中断）",
    "Message Boundary Event": "消息边界事件", "Message Boundary Event (Non Interrupting)": "消息边界事件（不中断）",
    "Error Boundary Event": "错误边界事件", "Signal Boundary Event": "信号边界事件",
    "Escalation Boundary Event": "升级边界事件", "Timer Intermediate Catch Event": "定时中间捕获事件",
    "Message Intermediate Catch Event": "消息中间捕获事件", "Signal Intermediate Catch Event": "信号中间捕获事件",
    "Message End Event": "消息结束事件", "Error End Event": "错误结束事件", "Terminate End Event": "终止结束事件",
    "Exclusive Gateway": "排他网关", "Parallel Gateway": "并行网关", "Inclusive Gateway": "包容网关",
    "Event Based Gateway": "事件网关", "Complex Gateway": "复杂网关", "Sequence Flow": "顺序流",
    "Conditional Flow": "条件流", "Default Flow": "默认流", "Process": "流程", "Participant": "参与者（泳池）",
    "Lane": "泳道", "Text Annotation": "文本注释", "Data Object Reference": "数据对象引用",
    "Data Store Reference": "数据存储引用", "Association": "关联", "Group": "分组",
    // properties panel: groups and labels
    "General": "常规", "Documentation": "说明", "Element documentation": "元素说明",
    "Process documentation": "流程说明", "Name": "名称", "ID": "标识", "Executable": "可执行",
    "Version tag": "版本标签", "Process ID": "流程标识", "Process name": "流程名称",
    "Extension properties": "扩展属性", "Properties": "属性", "Inputs": "输入", "Outputs": "输出",
    "Condition": "条件", "Condition expression": "条件表达式", "Condition Expression": "条件表达式",
    "Multi-instance": "多实例", "Loop cardinality": "循环次数", "Completion condition": "完成条件",
    "Input collection": "输入集合", "Output collection": "输出集合", "Input element": "输入元素",
    "Output element": "输出元素", "Element variable": "元素变量", "Collection": "集合",
    "Timer": "定时", "Type": "类型", "Value": "值", "Values": "值", "Date": "日期", "Duration": "持续时间",
    "Cycle": "周期", "Message": "消息", "Signal": "信号", "Error": "错误", "Errors": "错误",
    "Escalation": "升级", "Link": "链接", "Compensation": "补偿", "Script": "脚本", "Format": "格式",
    "Implementation": "实现", "Expression": "表达式", "Result variable": "结果变量", "Key": "键",
    "Label": "标签", "Source": "来源", "Target": "目标", "Priority": "优先级", "Assignee": "办理人",
    "Candidate users": "候选用户", "Candidate groups": "候选组", "Called element": "被调用元素",
    "Global message reference": "全局消息引用", "Global signal reference": "全局信号引用",
    "Global error reference": "全局错误引用", "Global escalation reference": "全局升级引用",
    "Create new ...": "新建…", "Create": "新建", "Delete item": "删除此项", "Create new list item": "新增一项",
    "Toggle section": "展开/收起", "Toggle list item": "展开/收起此项", "Section contains edits": "本节有修改",
    "Section contains an error": "本节有错误", "Open documentation": "打开文档", "<none>": "<无>",
    "<empty>": "<空>", "Learn more.": "了解更多。", "Opened in editor": "已在编辑器中打开",
    "Open pop-up editor": "在弹出编辑器中打开", "Map": "映射", "List": "列表", "String": "字符串",
    "Local": "本地", "Variable name": "变量名", "Event type": "事件类型", "Timer documentation": "定时说明",
    "Multiple elements are selected": "已选择多个元素", "Select an element to edit its properties.": "选择一个元素以编辑属性。",
    // properties panel: the platform's own groups (platform-properties.js)
    "Platform properties": "平台属性", "All platform properties": "全部平台属性", "Role": "角色",
    "By the lane name ({name})": "按泳道名称（{name}）", "Initiator": "发起人", "Unit level": "单位层级",
    "The role's default": "按角色默认", "County": "县", "Town / street": "镇街", "Community": "社区",
    "Grid": "网格", "Micro-grid": "微网格", "Unit from process data": "单位来自流程数据",
    "The data key holding the unit code": "存放单位编码的数据项", "Role from process data": "角色来自流程数据",
    "The data key holding the role": "存放角色的数据项", "Form file": "表单文件", "Time limit": "时限",
    "An amount and a unit: work_days, work_hours, days or emergency_hours":
      "数量加单位：work_days（工作日）、work_hours（工作时）、days（自然日）或 emergency_hours（紧急工作时）",
    "e.g. 3 work_days": "例如 3 work_days", "Time limit from process data": "时限来自流程数据", "Stage": "阶段",
    "Script (Python)": "脚本（Python）", "Condition (Python expression)": "条件（Python 表达式）", "Decision": "决策",
    "Multi-instance collection": "多实例集合", "Result collection": "结果集合", "Item variable": "每项变量",
    "Item result": "每项结果",
    "List contains {numOfItems} item": "列表有 {numOfItems} 项", "List contains {numOfItems} items": "列表有 {numOfItems} 项",
    // decision-table editor (dmn-js)
    "View DRD": "查看决策需求图", "Hit policy": "命中策略", "Hit policy:": "命中策略：", "When": "当", "Then": "则",
    "And": "且", "Annotation": "注释", "Annotations": "注释", "Input": "输入", "Output": "输出",
    "Input label": "输入标签", "Input label: ": "输入标签：", "Input expression": "输入表达式",
    "Input expression: ": "输入表达式：", "Input type": "输入类型", "Input values": "输入值",
    "Output label": "输出标签", "Output label: ": "输出标签：", "Output name": "输出名称",
    "Output name: ": "输出名称：", "Output type": "输出类型", "Output values": "输出值",
    "Predefined values": "预定义值", "Add predefined values": "添加预定义值", "Clear predefined values": "清除预定义值",
    "Add values": "添加值", "Custom values": "自定义值", "No values": "无值",
    "Expression language": "表达式语言", "Expression language: {expressionLanguageLabel}": "表达式语言：{expressionLanguageLabel}",
    "Change cell expression language": "更改单元格表达式语言", "Decision name": "决策名称", "Decision name: ": "决策名称：",
    "Add rule": "添加规则", "Add rule above": "在上方添加规则", "Add rule below": "在下方添加规则",
    "Remove rule": "删除规则", "Copy rule": "复制规则", "Cut rule": "剪切规则", "Move rule": "移动规则",
    "Paste rule above": "粘贴规则到上方", "Paste rule below": "粘贴规则到下方",
    "Add input": "添加输入", "Add output": "添加输出", "Add input column left": "在左侧添加输入列",
    "Add input column right": "在右侧添加输入列", "Add output column left": "在左侧添加输出列",
    "Add output column right": "在右侧添加输出列", "Remove input column": "删除输入列",
    "Remove output column": "删除输出列", "Copy input column": "复制输入列", "Copy output column": "复制输出列",
    "Cut input column": "剪切输入列", "Cut output column": "剪切输出列",
    "Paste input column left": "粘贴输入列到左侧", "Paste input column right": "粘贴输入列到右侧",
    "Paste output column left": "粘贴输出列到左侧", "Paste output column right": "粘贴输出列到右侧",
    "Add cell description": "添加单元格说明", "Remove cell description": "删除单元格说明",
    "Edit": "编辑", "Edit string": "编辑字符串", "Edit number": "编辑数字", "Edit boolean": "编辑布尔值",
    "Edit date": "编辑日期", "Edit input": "编辑输入", "Edit output": "编辑输出", "Set value": "设定值",
    "Enter expression": "输入表达式", "Comparison": "比较", "Comparison operator": "比较运算符", "Range": "范围",
    "Equals": "等于", "Less": "小于", "Less or equals": "小于等于", "Greater": "大于", "Greater or equals": "大于等于",
    "Match one": "匹配其一", "Match none": "均不匹配", "Include": "包含", "Exclude": "不包含",
    "Start value": "起始值", "End value": "结束值", "Boolean value": "布尔值", "String value": "字符串值",
    "Yes": "是", "No": "否", "Test type": "测试类型", "Resize": "调整大小",
    "Strings must be in double quotes": "字符串须加双引号",
    "Unique": "唯一", "First": "首个", "Any": "任一", "Collect": "收集",
    "Rule order": "规则顺序", "Output order": "输出顺序"
  };

  function zh() { return /^zh/i.test(document.documentElement.lang || ""); }

  function translate(template, replacements) {
    var text = ZH[template] || template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_m, key) {
      return key in replacements ? replacements[key] : "{" + key + "}";
    });
  }

  /* The module list to add to a bpmn-js / dmn-js instance ([] in English). */
  function modules() { return zh() ? [{ translate: ["value", translate] }] : []; }

  window.WorkflowI18n = { modules: modules, translate: translate, table: ZH, zh: zh };
})();

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AdminDialog</name>
    <message>
        <source>operator</source>
        <translation>接警员</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>值班领导</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Units and terminals</source>
        <translation>警力单元与终端</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>New user…</source>
        <translation>新建用户…</translation>
    </message>
    <message>
        <source>Disable / enable</source>
        <translation>停用 / 启用</translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <source>Hub address for the key file</source>
        <translation>写入密钥文件的指挥中心地址</translation>
    </message>
    <message>
        <source>optional, e.g. tcp://hub.example:5555</source>
        <translation>可选，例如 tcp://hub.example:5555</translation>
    </message>
    <message>
        <source>Enrol terminal…</source>
        <translation>登记终端…</translation>
    </message>
    <message>
        <source>Revoke terminal</source>
        <translation>吊销终端</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>active</source>
        <translation>启用中</translation>
    </message>
    <message>
        <source>enrolled</source>
        <translation>已登记</translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>已吊销</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>(revoked)</source>
        <translation>（已吊销）</translation>
    </message>
    <message>
        <source>User %1 created.</source>
        <translation>已创建用户 %1。</translation>
    </message>
    <message>
        <source>Select a user first.</source>
        <translation>请先选择一个用户。</translation>
    </message>
    <message>
        <source>User %1 disabled.</source>
        <translation>用户 %1 已停用。</translation>
    </message>
    <message>
        <source>User %1 enabled.</source>
        <translation>用户 %1 已启用。</translation>
    </message>
    <message>
        <source>New password for %1</source>
        <translation>为 %1 设置新密码</translation>
    </message>
    <message>
        <source>Password of %1 reset; the user must sign in again.</source>
        <translation>%1 的密码已重置，该用户须重新登录。</translation>
    </message>
    <message>
        <source>Select a unit first.</source>
        <translation>请先选择一个警力单元。</translation>
    </message>
    <message>
        <source>Save the terminal key of %1</source>
        <translation>保存 %1 的终端密钥</translation>
    </message>
    <message>
        <source>Terminal key (*.key)</source>
        <translation>终端密钥 (*.key)</translation>
    </message>
    <message>
        <source>%1 exists; a terminal key is never overwritten. Choose a new file.</source>
        <translation>%1 已存在；终端密钥不会覆盖已有文件，请选择新文件名。</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <source>The key of %1 could not be saved (%2). Copy it below now, or revoke it: it is shown only once.</source>
        <translation>%1 的密钥无法保存（%2）。请立即复制下方内容，否则请吊销该密钥：密钥只显示这一次。</translation>
    </message>
    <message>
        <source>Terminal of %1 enrolled; key saved to %2 (install it on the terminal only; the command centre keeps no copy).</source>
        <translation>%1 的终端已登记，密钥已保存到 %2（只能安装在该终端上；指挥中心不保留副本）。</translation>
    </message>
    <message>
        <source>Revoke every terminal key of %1? It can no longer connect.</source>
        <translation>吊销 %1 的全部终端密钥？吊销后该终端将无法连接。</translation>
    </message>
    <message>
        <source>%1 key(s) of %2 revoked.</source>
        <translation>已吊销 %2 的 %1 个密钥。</translation>
    </message>
    <message>
        <source>%1 had no live terminal key.</source>
        <translation>%1 没有有效的终端密钥。</translation>
    </message>
</context>
<context>
    <name>Age</name>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1天%2小时</translation>
    </message>
</context>
<context>
    <name>AlertKind</name>
    <message>
        <source>Arrival standard exceeded</source>
        <translation>超过到场标准</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>事态升级</translation>
    </message>
    <message>
        <source>On scene too long</source>
        <translation>现场处置超时</translation>
    </message>
    <message>
        <source>Order not acknowledged in time</source>
        <translation>指令未按时确认</translation>
    </message>
    <message>
        <source>Order rejected</source>
        <translation>指令被拒绝</translation>
    </message>
</context>
<context>
    <name>AlertLevel</name>
    <message>
        <source>Critical</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
</context>
<context>
    <name>AlertsBoard</name>
    <message>
        <source>%1 unacknowledged of %2</source>
        <translation>未确认 %1 / 共 %2</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Acknowledge all</source>
        <translation>全部确认</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警内容</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Seen by</source>
        <translation>确认人</translation>
    </message>
    <message>
        <source>Sound</source>
        <translation>声音提示</translation>
    </message>
    <message>
        <source>Dismiss proposal</source>
        <translation>驳回建议</translation>
    </message>
    <message>
        <source>%1: sent %2</source>
        <translation>%1: 改派 %2</translation>
    </message>
    <message>
        <source>%1: declined</source>
        <translation>%1: 驳回建议</translation>
    </message>
    <message>
        <source>%1 sent %2 instead of %3 at %4</source>
        <translation>%1 已于 %4 改派 %2 接替 %3</translation>
    </message>
    <message>
        <source>%1 declined sending %2 at %3</source>
        <translation>%1 已于 %3 驳回改派 %2 的建议</translation>
    </message>
    <message>
        <source>Proposal for incident #%1: send %2 instead of %3, ETA %4</source>
        <translation>警情 #%1 建议: 改派 %2 接替 %3, 预计 %4 到达</translation>
    </message>
    <message>
        <source>Reassign to %1…</source>
        <translation>改派 %1…</translation>
    </message>
    <message>
        <source>This alert proposes no unit.</source>
        <translation>该告警没有建议改派的警力。</translation>
    </message>
    <message>
        <source>Reassign order</source>
        <translation>改派指令</translation>
    </message>
    <message>
        <source>Withdraw the order of %1 (if still open) and send %2 to incident #%3?</source>
        <translation>撤回 %1 的指令（如仍有效），改派 %2 前往警情 #%3？</translation>
    </message>
    <message>
        <source>Do not send %1? The alert counts as acknowledged.</source>
        <translation>不改派 %1？该告警将记为已确认。</translation>
    </message>
    <message>
        <source>%1 sent instead of %2 (order %3).</source>
        <translation>已改派 %1 接替 %2（指令 %3）。</translation>
    </message>
    <message>
        <source>Proposal dismissed.</source>
        <translation>已驳回改派建议。</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
</context>
<context>
    <name>AmendDialog</name>
    <message>
        <source>Add (available, nearest first)</source>
        <translation>增派（空闲警力，由近及远）</translation>
    </message>
    <message>
        <source>Amend plan</source>
        <translation>修改方案</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>修改理由</translation>
    </message>
    <message>
        <source>Remove from the plan</source>
        <translation>从方案中撤下</translation>
    </message>
    <message>
        <source>Send amendment</source>
        <translation>提交修改</translation>
    </message>
</context>
<context>
    <name>Chronology</name>
    <message>
        <source>Reassigned: %1 replaces %2</source>
        <translation>改派：%1 接替 %2</translation>
    </message>
    <message>
        <source>Proposal dismissed: %1</source>
        <translation>驳回改派建议：%1</translation>
    </message>
    <message>
        <source>Alert acknowledged: %1</source>
        <translation>告警已确认：%1</translation>
    </message>
    <message>
        <source>Alert: %1</source>
        <translation>告警：%1</translation>
    </message>
    <message>
        <source>Call taken at workstation %1</source>
        <translation>接警席位 %1 受理</translation>
    </message>
    <message>
        <source>Call %1 merged into this incident</source>
        <translation>第 %1 次报警已并入本警情</translation>
    </message>
    <message>
        <source>caller %1</source>
        <translation>报警人 %1</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>信息变更：%1</translation>
    </message>
    <message>
        <source>Duplicate report #%1 merged into this incident</source>
        <translation>重复报警 #%1 已并入本警情</translation>
    </message>
    <message>
        <source>First approval of plan #%1 (%2 needed)</source>
        <translation>方案 #%1 首次审批（需 %2 人审批）</translation>
    </message>
    <message>
        <source>Incident registered: %1</source>
        <translation>警情登记：%1</translation>
    </message>
    <message>
        <source>Linked to plan #%1</source>
        <translation>关联方案 #%1</translation>
    </message>
    <message>
        <source>Order to %1: %2</source>
        <translation>对 %1 的指令：%2</translation>
    </message>
    <message>
        <source>Plan #%1 approved; orders sent</source>
        <translation>方案 #%1 已批准，指令已下达</translation>
    </message>
    <message>
        <source>Plan #%1 proposed</source>
        <translation>生成处置方案 #%1</translation>
    </message>
    <message>
        <source>Plan #%1 rejected: %2</source>
        <translation>方案 #%1 被驳回：%2</translation>
    </message>
    <message>
        <source>Status: %1 → %2</source>
        <translation>状态：%1 → %2</translation>
    </message>
    <message>
        <source>plan engine</source>
        <translation>方案引擎</translation>
    </message>
    <message>
        <source>system</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>terminal</source>
        <translation>终端</translation>
    </message>
</context>
<context>
    <name>ChronologyDialog</name>
    <message>
        <source>Chronology of incident #%1</source>
        <translation>警情 #%1 处置记录</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>处置环节</translation>
    </message>
    <message>
        <source>Time (Shanghai)</source>
        <translation>时间（北京时间）</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
</context>
<context>
    <name>CoveragePanel</name>
    <message>
        <source>%1 %2% within %3 min</source>
        <translation>%1 %2% %3分钟覆盖</translation>
    </message>
    <message>
        <source>%1 gaps, %2 km of road not reached</source>
        <translation>%1 处盲区，%2 公里道路无法按时到达</translation>
    </message>
    <message>
        <source>%1 units available</source>
        <translation>可用警力 %1 个</translation>
    </message>
    <message>
        <source>%1% of road length, %2% of junctions reached in time</source>
        <translation>按时可达：道路长度 %1%，路口 %2%</translation>
    </message>
    <message>
        <source>1-minute points covered: %1 of %2</source>
        <translation>1分钟处置点覆盖：%1 / %2</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>Suggested repositioning (double-click: show place)</source>
        <translation>建议调整部署（双击在地图上显示位置）</translation>
    </message>
    <message>
        <source>None suggested now</source>
        <translation>当前无调整建议</translation>
    </message>
    <message>
        <source>Coverage unavailable: %1</source>
        <translation>覆盖分析不可用：%1</translation>
    </message>
    <message>
        <source>Largest gap (Gap 1) in: %1</source>
        <translation>最大盲区（盲区1）位于：%1</translation>
    </message>
    <message>
        <source>Not covered: %1</source>
        <translation>未覆盖：%1</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Show coverage gaps on the map</source>
        <translation>在地图上显示覆盖盲区</translation>
    </message>
    <message>
        <source>Shown on request; updated every %1 s while shown</source>
        <translation>显示时每 %1 秒更新</translation>
    </message>
    <message>
        <source>Updated %1; every %2 s while shown</source>
        <translation>%1 已更新；显示时每 %2 秒更新</translation>
    </message>
</context>
<context>
    <name>DispatchStatusBar</name>
    <message>
        <source>Hub: connecting…</source>
        <translation>指挥中心：连接中…</translation>
    </message>
    <message>
        <source>Hub: connected</source>
        <translation>指挥中心：已连接</translation>
    </message>
    <message>
        <source>Hub: no answer</source>
        <translation>指挥中心：无响应</translation>
    </message>
    <message>
        <source>Units on duty: %1</source>
        <translation>在岗警力：%1</translation>
    </message>
    <message>
        <source>(%1 without recent fix)</source>
        <translation>（%1 个定位超时）</translation>
    </message>
    <message>
        <source>Open incidents: %1</source>
        <translation>未结警情：%1</translation>
    </message>
</context>
<context>
    <name>ExportViewer</name>
    <message>
        <source>Exported situation map</source>
        <translation>导出的态势图</translation>
    </message>
</context>
<context>
    <name>HeatPanel</name>
    <message>
        <source>%1 calls match</source>
        <translation>符合条件的警情 %1 起</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>全天</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <source>Day 07–19</source>
        <translation>白天 07–19</translation>
    </message>
    <message>
        <source>From</source>
        <translation>起</translation>
    </message>
    <message>
        <source>Heatmap unavailable: %1</source>
        <translation>热力图不可用：%1</translation>
    </message>
    <message>
        <source>Hours of the day (Shanghai time)</source>
        <translation>时段（北京时间）</translation>
    </message>
    <message>
        <source>Incident types</source>
        <translation>警情类型</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近24小时</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近30天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近7天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近90天</translation>
    </message>
    <message>
        <source>Night 19–07</source>
        <translation>夜间 19–07</translation>
    </message>
    <message>
        <source>None</source>
        <translation>全不选</translation>
    </message>
    <message>
        <source>The end of the window must be after its start.</source>
        <translation>结束时间必须晚于开始时间。</translation>
    </message>
    <message>
        <source>Tick at least one hour of the day.</source>
        <translation>请至少选择一个时段。</translation>
    </message>
    <message>
        <source>Tick at least one incident type.</source>
        <translation>请至少选择一种警情类型。</translation>
    </message>
    <message>
        <source>Time window</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <source>To</source>
        <translation>止</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>peak %1 per km²</source>
        <translation>峰值 %1 起/平方公里</translation>
    </message>
</context>
<context>
    <name>IncidentStatus</name>
    <message>
        <source>New</source>
        <translation>新警情</translation>
    </message>
    <message>
        <source>Plan proposed</source>
        <translation>方案待审</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派警</translation>
    </message>
    <message>
        <source>Units en route</source>
        <translation>警力途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
</context>
<context>
    <name>IncidentTableModel</name>
    <message>
        <source>Priority</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力数</translation>
    </message>
</context>
<context>
    <name>IntakeDialog</name>
    <message>
        <source>%1 m from %2</source>
        <translation>距 %2 %1 米</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Caller number</source>
        <translation>报警电话</translation>
    </message>
    <message>
        <source>Caller number “%1” is not a phone number: use an 11-digit mobile (1xx xxxx xxxx) or a landline such as 021-63211234.</source>
        <translation>报警电话“%1”格式不正确：应为11位手机号（1xx xxxx xxxx）或带区号的座机号，如 021-63211234。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose the incident type.</source>
        <translation>请选择警情类型。</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>警情描述</translation>
    </message>
    <message>
        <source>Force level</source>
        <translation>处置等级</translation>
    </message>
    <message>
        <source>Incident type</source>
        <translation>警情类型</translation>
    </message>
    <message>
        <source>Likely duplicate: incident #%1 (%2) of the same type, %3 m away, reported %4 min ago at %5.</source>
        <translation>疑似重复报警：同类警情 #%1（%2）距此 %3 米，%4 分钟前报警，地点：%5。</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>New incident (110 call)</source>
        <translation>新建警情（110接警）</translation>
    </message>
    <message>
        <source>Landmark, station, 1-minute point, road, or crossing such as A / B</source>
        <translation>地标、派出所、1分钟处置点、道路或路口（如 甲路 / 乙路）</translation>
    </message>
    <message>
        <source>No place called “%1” in the district; pick one from the list.</source>
        <translation>辖区内没有名为“%1”的地点，请从列表中选择。</translation>
    </message>
    <message>
        <source>Not set: right-click the map or search a place above</source>
        <translation>未设置：在地图上右键点击，或在上方搜索地点</translation>
    </message>
    <message>
        <source>Officers needed</source>
        <translation>所需警力（人）</translation>
    </message>
    <message>
        <source>It has %1 calls already.</source>
        <translation>该警情已有 %1 次报警。</translation>
    </message>
    <message>
        <source>Merge into incident #%1</source>
        <translation>并入警情 #%1</translation>
    </message>
    <message>
        <source>Open incident #%1 instead</source>
        <translation>改为打开警情 #%1</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Register as a new incident anyway</source>
        <translation>仍登记为新警情</translation>
    </message>
    <message>
        <source>Register incident</source>
        <translation>登记警情</translation>
    </message>
    <message>
        <source>Search place</source>
        <translation>搜索地点</translation>
    </message>
    <message>
        <source>Set the location: right-click the map or search a place.</source>
        <translation>请设置位置：在地图上右键点击，或搜索地点。</translation>
    </message>
    <message>
        <source>The description is too long (%1 characters, at most %2).</source>
        <translation>警情描述过长（%1 字，最多 %2 字）。</translation>
    </message>
    <message>
        <source>The location %1 is outside the district %2.</source>
        <translation>位置 %1 不在 %2 辖区内。</translation>
    </message>
    <message>
        <source>The location is not a valid coordinate.</source>
        <translation>位置坐标无效。</translation>
    </message>
    <message>
        <source>What the caller reports</source>
        <translation>报警人所述情况</translation>
    </message>
    <message>
        <source>e.g. 13812345678 or 021-63211234</source>
        <translation>如 13812345678 或 021-63211234</translation>
    </message>
    <message>
        <source>near %1</source>
        <translation>%1附近</translation>
    </message>
    <message>
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
</context>
<context>
    <name>Layer</name>
    <message>
        <source>District boundary</source>
        <translation>辖区边界</translation>
    </message>
    <message>
        <source>Responsibility areas</source>
        <translation>责任区</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Police stations</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>1-minute points</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>110 call heatmap</source>
        <translation>110警情热力图</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Heatmap unavailable: %1</source>
        <translation>热力图不可用：%1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>%1 calls in the window</source>
        <translation>时段内警情 %1 起</translation>
    </message>
    <message>
        <source>peak %1 per km²</source>
        <translation>峰值 %1 起/平方公里</translation>
    </message>
    <message>
        <source>Map layers</source>
        <translation>地图图层</translation>
    </message>
    <message>
        <source>110 call heatmap</source>
        <translation>110警情热力图</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近24小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近7天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近30天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近90天</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Enter user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Sign-in failed.</source>
        <translation>登录失败。</translation>
    </message>
    <message>
        <source>Unexpected answer from the command centre (missing %1).</source>
        <translation>指挥中心应答异常（缺少 %1）。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Save &amp;screenshot…</source>
        <translation>保存截图(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Zoom to &amp;district</source>
        <translation>缩放至辖区(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Layers</source>
        <translation>图层(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>Open incidents</source>
        <translation>未结警情</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Demo district: the outline, roads, stations and units are approximate illustrations, not official data.</source>
        <translation>演示辖区：边界、道路、派出所和警力均为示意数据，并非官方数据。</translation>
    </message>
    <message>
        <source>Command and Dispatch Console</source>
        <translation>指挥调度台</translation>
    </message>
    <message>
        <source>Huangpu (demo) — approximate data</source>
        <translation>黄浦 (demo) — 示意数据</translation>
    </message>
    <message>
        <source>Could not load the district: %1</source>
        <translation>无法加载辖区：%1</translation>
    </message>
    <message>
        <source>Could not load the situation: %1</source>
        <translation>无法加载实时态势：%1</translation>
    </message>
    <message>
        <source>Save screenshot</source>
        <translation>保存截图</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Could not save the screenshot to %1</source>
        <translation>无法将截图保存到 %1</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Command and Dispatch Console&lt;/h3&gt;&lt;p&gt;Live forces map, 110 call heatmap and incident dispatch.&lt;/p&gt;&lt;p&gt;The demo district (Huangpu, Shanghai) is approximate: its outline, roads, stations, units and call history are generated illustrations, not official data.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;指挥调度台&lt;/h3&gt;&lt;p&gt;实时警力地图、110警情热力图与警情调度。&lt;/p&gt;&lt;p&gt;演示辖区（上海黄浦）为示意数据：其边界、道路、派出所、警力和历史警情均为生成的示意内容，并非官方数据。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>MapTools</name>
    <message>
        <source>&amp;Export situation map (HTML)…</source>
        <translation>导出态势图 (HTML)(&amp;E)…</translation>
    </message>
    <message>
        <source>Could not export the situation map: %1</source>
        <translation>无法导出态势图：%1</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>警力覆盖</translation>
    </message>
    <message>
        <source>Export situation map</source>
        <translation>导出态势图</translation>
    </message>
    <message>
        <source>Export situation map (HTML)</source>
        <translation>导出态势图 (HTML)</translation>
    </message>
    <message>
        <source>Find on map</source>
        <translation>在地图上查找</translation>
    </message>
    <message>
        <source>HTML pages (*.html)</source>
        <translation>HTML 网页 (*.html)</translation>
    </message>
    <message>
        <source>Heatmap filter</source>
        <translation>热力图筛选</translation>
    </message>
    <message>
        <source>Map tools</source>
        <translation>地图工具</translation>
    </message>
    <message>
        <source>Situation map saved to %1</source>
        <translation>态势图已保存到 %1</translation>
    </message>
    <message>
        <source>Units without a recent fix</source>
        <translation>定位超时警力</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派警</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
    <message>
        <source>No recent fix</source>
        <translation>定位超时</translation>
    </message>
    <message>
        <source>Unknown status ({status})</source>
        <translation>未知状态（{status}）</translation>
    </message>
    <message>
        <source>Unknown type ({type})</source>
        <translation>未知类型（{type}）</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新警情</translation>
    </message>
    <message>
        <source>Plan proposed</source>
        <translation>方案待审</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Priority 1</source>
        <translation>一级</translation>
    </message>
    <message>
        <source>Priority 2</source>
        <translation>二级</translation>
    </message>
    <message>
        <source>Priority 3</source>
        <translation>三级</translation>
    </message>
    <message>
        <source>Priority 4</source>
        <translation>四级</translation>
    </message>
    <message>
        <source>Fix {age} s ago</source>
        <translation>{age} 秒前定位</translation>
    </message>
    <message>
        <source>Fix {age} min ago</source>
        <translation>{age} 分钟前定位</translation>
    </message>
    <message>
        <source>No fix yet</source>
        <translation>尚无定位</translation>
    </message>
    <message>
        <source>Station: {station}</source>
        <translation>派出所：{station}</translation>
    </message>
    <message>
        <source>Area: {area}</source>
        <translation>责任区：{area}</translation>
    </message>
    <message>
        <source>Incident #{id}</source>
        <translation>警情 #{id}</translation>
    </message>
    <message>
        <source>Units: {units}</source>
        <translation>警力：{units}</translation>
    </message>
    <message>
        <source>District outline</source>
        <translation>辖区边界</translation>
    </message>
    <message>
        <source>Responsibility areas</source>
        <translation>责任区</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Police stations</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>1-minute points</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>110 call heatmap</source>
        <translation>110警情热力图</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Unit types</source>
        <translation>警力类型</translation>
    </message>
    <message>
        <source>Unit status</source>
        <translation>警力状态</translation>
    </message>
    <message>
        <source>Incident priority</source>
        <translation>警情等级</translation>
    </message>
    <message>
        <source>Police station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>1-minute point</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>110 calls per km²</source>
        <translation>110警情/平方公里</translation>
    </message>
    <message>
        <source>{name} (approximate)</source>
        <translation>{name}（示意）</translation>
    </message>
    <message>
        <source>No district loaded</source>
        <translation>未加载辖区</translation>
    </message>
    <message>
        <source>{n} m</source>
        <translation>{n} 米</translation>
    </message>
    <message>
        <source>{n} km</source>
        <translation>{n} 公里</translation>
    </message>
    <message>
        <source>Coverage gaps</source>
        <translation>覆盖盲区</translation>
    </message>
    <message>
        <source>Gap {rank}: {km} km of road</source>
        <translation>盲区{rank}：{km}公里道路</translation>
    </message>
    <message>
        <source>Not reached within {minutes} min: {type}</source>
        <translation>{minutes}分钟内无法到达：{type}</translation>
    </message>
    <message>
        <source>Raster base map</source>
        <translation>栅格底图</translation>
    </message>
</context>
<context>
    <name>OrderState</name>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>arrived on scene</source>
        <translation>已到场</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>read</source>
        <translation>已阅读</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>待发送</translation>
    </message>
</context>
<context>
    <name>Place</name>
    <message>
        <source>1-minute point</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>landmark</source>
        <translation>地标</translation>
    </message>
    <message>
        <source>police station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>road</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>intersection</source>
        <translation>路口</translation>
    </message>
</context>
<context>
    <name>PlanReviewDialog</name>
    <message>
        <source>#%1 %2 · %3 · force level %4 · officers %5/%6 · plan %7: %8</source>
        <translation>#%1 %2 · %3 · 处置等级 %4 · 警力 %5/%6 人 · 方案 %7：%8</translation>
    </message>
    <message>
        <source>A rejection needs a reason.</source>
        <translation>驳回须填写理由。</translation>
    </message>
    <message>
        <source>Alternative</source>
        <translation>备选</translation>
    </message>
    <message>
        <source>Amend…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Approved by %1; orders sent</source>
        <translation>已由 %1 批准，指令已下达</translation>
    </message>
    <message>
        <source>Arrival standards</source>
        <translation>到场标准</translation>
    </message>
    <message>
        <source>Briefing map (offline Leaflet); routes green = within standard, red = late.</source>
        <translation>方案简报图（离线 Leaflet）；路线绿色＝达标，红色＝超标。</translation>
    </message>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Choose units to remove or to add.</source>
        <translation>请选择要撤下或增派的警力。</translation>
    </message>
    <message>
        <source>Chronology</source>
        <translation>处置记录</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Coverage cost</source>
        <translation>覆盖代价</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>预计到达</translation>
    </message>
    <message>
        <source>Move-ups</source>
        <translation>前置调整</translation>
    </message>
    <message>
        <source>Needs a duty supervisor&apos;s approval</source>
        <translation>需值班领导审批</translation>
    </message>
    <message>
        <source>Needs a second duty supervisor&apos;s approval (%1/%2); approved by %3</source>
        <translation>需第二名值班领导审批 (%1/%2)；已审批：%3</translation>
    </message>
    <message>
        <source>Needs two duty supervisors&apos; approval (%1/%2)</source>
        <translation>需两名值班领导审批 (%1/%2)</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Only a duty supervisor may decide on a plan.</source>
        <translation>只有值班领导可以审批方案。</translation>
    </message>
    <message>
        <source>Open briefing map</source>
        <translation>打开简报图</translation>
    </message>
    <message>
        <source>Plan review — incident #%1 %2</source>
        <translation>方案审批 — 警情 #%1 %2</translation>
    </message>
    <message>
        <source>Reason for rejecting the plan:</source>
        <translation>驳回理由：</translation>
    </message>
    <message>
        <source>Reject plan</source>
        <translation>驳回方案</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Sent; the command centre accepted.</source>
        <translation>已提交，指挥中心已受理。</translation>
    </message>
    <message>
        <source>Shortfall: %1</source>
        <translation>警力缺口：%1</translation>
    </message>
    <message>
        <source>Static plan map (the web briefing map cannot be shown here; it is saved as a file: Open briefing map). Green = within standard, red = late.</source>
        <translation>静态方案图（此处无法显示网页简报图，简报图已另存为文件：点“打开简报图”）。绿色＝达标，红色＝超标。</translation>
    </message>
    <message>
        <source>Std.</source>
        <translation>达标</translation>
    </message>
    <message>
        <source>Superseded: an amended plan follows</source>
        <translation>已被替代：修改后的方案随后送达</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Wave</source>
        <translation>梯队</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>You have approved; a second, different supervisor must approve.</source>
        <translation>您已审批，须由另一名值班领导再次审批。</translation>
    </message>
    <message>
        <source>first</source>
        <translation>首批</translation>
    </message>
    <message>
        <source>reinforcement</source>
        <translation>增援</translation>
    </message>
</context>
<context>
    <name>PlanStatus</name>
    <message>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>awaiting approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>superseded by an amended plan</source>
        <translation>已被修改方案替代</translation>
    </message>
</context>
<context>
    <name>Priority</name>
    <message>
        <source>P%1</source>
        <translation>%1级</translation>
    </message>
</context>
<context>
    <name>SearchBox</name>
    <message>
        <source>1-minute point</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>责任区</translation>
    </message>
    <message>
        <source>Call signs, police stations, 1-minute points, areas, places and road names</source>
        <translation>呼号、派出所、1分钟处置点、责任区、地名和道路名</translation>
    </message>
    <message>
        <source>Find unit, station, place or road…</source>
        <translation>查找警力、派出所、地点或道路…</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Police station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Road</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>警力</translation>
    </message>
</context>
<context>
    <name>SituationExport</name>
    <message>
        <source>1-minute points</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>110 calls per km² (%1 calls)</source>
        <translation>110警情/平方公里（%1 起）</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Approximate demo data, not official</source>
        <translation>示意演示数据，非官方数据</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>责任区</translation>
    </message>
    <message>
        <source>Crew</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>导出时间 %1</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Last fix</source>
        <translation>最后定位</translation>
    </message>
    <message>
        <source>Open incidents</source>
        <translation>未结警情</translation>
    </message>
    <message>
        <source>Police stations</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Priority %1</source>
        <translation>%1级</translation>
    </message>
    <message>
        <source>Situation map</source>
        <translation>态势图</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>StalePanel</name>
    <message>
        <source>%1 ago</source>
        <translation>%1 前</translation>
    </message>
    <message>
        <source>%1 units without a fix in the last %2 s</source>
        <translation>%1 个警力超过 %2 秒无定位</translation>
    </message>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Every unit has a fix from the last %1 s</source>
        <translation>所有警力在 %1 秒内均有定位</translation>
    </message>
    <message>
        <source>Last fix</source>
        <translation>最后定位</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>no fix yet</source>
        <translation>尚无定位</translation>
    </message>
    <message>
        <source>(the oldest %1 listed)</source>
        <translation>（列出最久的 %1 个）</translation>
    </message>
</context>
<context>
    <name>StatsPanel</name>
    <message>
        <source>%1 rows written to %2</source>
        <translation>已导出 %1 行到 %2</translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation>到场次数</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export statistics</source>
        <translation>导出统计</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情数</translation>
    </message>
    <message>
        <source>Incidents handled</source>
        <translation>处置警情数</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近24小时</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近30天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近7天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近90天</translation>
    </message>
    <message>
        <source>Mean response</source>
        <translation>平均到场用时</translation>
    </message>
    <message>
        <source>Mean response (min)</source>
        <translation>平均到场用时（分钟）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Officers</source>
        <translation>民警</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>指令数</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>到场标准</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Stations</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Time on task</source>
        <translation>任务用时</translation>
    </message>
    <message>
        <source>Time on task (h)</source>
        <translation>任务用时（小时）</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>警力单元</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力单元</translation>
    </message>
    <message>
        <source>Within standard</source>
        <translation>达标率</translation>
    </message>
    <message>
        <source>Within standard (%)</source>
        <translation>达标率（%）</translation>
    </message>
</context>
<context>
    <name>UnitBoard</name>
    <message>
        <source>%1 of %2 free</source>
        <translation>空闲 %1 / %2</translation>
    </message>
    <message>
        <source>Available %1 / on duty %2</source>
        <translation>空闲 %1 / 在岗 %2</translation>
    </message>
    <message>
        <source>Filter: call sign, station, status</source>
        <translation>筛选：呼号、派出所、状态</translation>
    </message>
    <message>
        <source>In status</source>
        <translation>状态时长</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Last fix</source>
        <translation>定位时效</translation>
    </message>
    <message>
        <source>No station</source>
        <translation>未归属派出所</translation>
    </message>
    <message>
        <source>Station / call sign</source>
        <translation>派出所 / 呼号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
</context>
<context>
    <name>UnitListPanel</name>
    <message>
        <source>Filter: station, call sign, type, status</source>
        <translation>筛选：派出所、呼号、类型、状态</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>UnitStatus</name>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已指派</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>赶赴途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
</context>
<context>
    <name>UnitTableModel</name>
    <message>
        <source>Station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>In status</source>
        <translation>状态时长</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Fix age</source>
        <translation>定位时长</translation>
    </message>
</context>
<context>
    <name>UserForm</name>
    <message>
        <source>New user</source>
        <translation>新建用户</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Enter a user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>The passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>Workflow</name>
    <message>
        <source>The command centre refused: %1</source>
        <translation>指挥中心拒绝：%1</translation>
    </message>
</context>
<context>
    <name>WorkflowController</name>
    <message>
        <source>Cl&amp;ose selected incident…</source>
        <translation>结案所选警情(&amp;O)…</translation>
    </message>
    <message>
        <source>Cancel selected incident (supervisor)…</source>
        <translation>撤销所选警情(值班领导)…</translation>
    </message>
    <message>
        <source>Close incident</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Outcome of incident #%1:</source>
        <translation>警情 #%1 处置结果:</translation>
    </message>
    <message>
        <source>Cancel incident</source>
        <translation>撤销警情</translation>
    </message>
    <message>
        <source>Reason for cancelling #%1:</source>
        <translation>撤销警情 #%1 的原因:</translation>
    </message>
    <message>
        <source>The command centre refused: %1</source>
        <translation>指挥中心拒绝: %1</translation>
    </message>
    <message>
        <source>&amp;Chronology of selected incident</source>
        <translation>所选警情处置记录(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Dispatch</source>
        <translation>调度(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;New incident (110 call)…</source>
        <translation>新建警情（110接警）(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Review plan of selected incident</source>
        <translation>审批所选警情方案(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Administration: users and terminals…</source>
        <translation>系统管理：用户与终端(&amp;A)…</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Incident #%1 registered; waiting for the plan</source>
        <translation>警情 #%1 已登记，等待处置方案</translation>
    </message>
    <message>
        <source>Call merged into incident #%1 (%2 calls)</source>
        <translation>报警已并入警情 #%1（共 %2 次报警）</translation>
    </message>
    <message>
        <source>Plan for incident #%1 awaits your approval (Ctrl+Shift+R)</source>
        <translation>警情 #%1 的处置方案待您审批（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <source>Plans awaiting &amp;approval (%1)</source>
        <translation>待审批方案(&amp;A) (%1)</translation>
    </message>
    <message>
        <source>Select an incident first.</source>
        <translation>请先选择一条警情。</translation>
    </message>
    <message>
        <source>Sign &amp;in…</source>
        <translation>登录(&amp;I)…</translation>
    </message>
    <message>
        <source>Administration needs an administrator&apos;s sign-in.</source>
        <translation>系统管理需要管理员登录。</translation>
    </message>
    <message>
        <source>Signed in as %1 (%2)</source>
        <translation>已登录：%1（%2）</translation>
    </message>
    <message>
        <source>Unit board</source>
        <translation>警力看板</translation>
    </message>
    <message>
        <source>Workload and &amp;statistics</source>
        <translation>工作量与统计(&amp;S)</translation>
    </message>
    <message>
        <source>Workload and statistics</source>
        <translation>工作量与统计</translation>
    </message>
</context>
</TS>

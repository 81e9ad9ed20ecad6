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
        <message>
            <source>%1 is not locked.</source>
            <translation>%1 未被锁定。</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>解锁</translation>
        </message>
        <message>
            <source>Unlock an account locked by failed sign-ins (recorded in the audit log)</source>
            <translation>解锁因登录失败次数过多而被锁定的账户（记入审计日志）</translation>
        </message>
        <message>
            <source>User %1 unlocked.</source>
            <translation>用户 %1 已解锁。</translation>
        </message>
        <message>
            <source>locked (failed sign-ins)</source>
            <translation>已锁定（登录失败）</translation>
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
        <message>
            <source>Crowd forecast over the line</source>
            <translation>客流预测超警戒</translation>
        </message>
        <message>
            <source>Crowd counted over the line</source>
            <translation>实测客流超警戒</translation>
        </message>
        <message>
            <source>Approved without orders</source>
            <translation>已批准但无指令</translation>
        </message>
        <message>
            <source>Database cannot be written</source>
            <translation>数据库无法写入</translation>
        </message>
        <message>
            <source>Database writable again</source>
            <translation>数据库已恢复写入</translation>
        </message>
        <message>
            <source>No terminal online</source>
            <translation>无在线终端</translation>
        </message>
        <message>
            <source>Report from the scene</source>
            <translation>现场反馈</translation>
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
        <message>
            <source>Open the crowd-crush run card</source>
            <translation>启动踩踏风险预案</translation>
        </message>
        <message>
            <source>Incident #%1 opened from the crowd warning; its plan follows.</source>
            <translation>已由客流预警创建警情 #%1，处置方案随后生成。</translation>
        </message>
        <message>
            <source>Record delivery by radio or phone…</source>
            <translation>登记电台/电话下达…</translation>
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
        <message>
            <source>Plan #%1 dispatched under the approval policy (no approval needed)</source>
            <translation>方案 #%1 按审批规则直接派警 (无需审批)</translation>
        </message>
        <message>
            <source>(photo refused: %1)</source>
            <translation>(照片被拒收: %1)</translation>
        </message>
        <message>
            <source>Report from the scene: %1</source>
            <translation>现场反馈: %1</translation>
        </message>
        <message>
            <source>Video clip from the scene (%1 s): %2</source>
            <translation>现场视频 (%1 秒): %2</translation>
        </message>
        <message>
            <source>[photo]</source>
            <translation>[照片]</translation>
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
        <message>
            <source>Double-click: the incident's photos and clips</source>
            <translation>双击: 查看该警情的照片和视频</translation>
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
        <message>
            <source>%1 serves since %2</source>
            <translation>%1 自 %2 起服务</translation>
        </message>
        <message>
            <source>failover at %1</source>
            <translation>%1 发生主备切换</translation>
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
            <translation>警情等级</translation>
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
            <translation>历时</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>地址</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>警力</translation>
        </message>
        <message>
            <source>P</source>
            <translation>等级</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>地点</translation>
        </message>
        <message>
            <source>Next deadline</source>
            <translation>下一时限</translation>
        </message>
        <message>
            <source>Incident number</source>
            <translation>警情编号</translation>
        </message>
        <message>
            <source>Incident type</source>
            <translation>警情类型</translation>
        </message>
        <message>
            <source>Address or place</source>
            <translation>地址或地点</translation>
        </message>
        <message>
            <source>Time since the call</source>
            <translation>接警以来的时间</translation>
        </message>
        <message>
            <source>Units sent</source>
            <translation>已派警力数</translation>
        </message>
        <message>
            <source>What is due next and the time left (negative: overdue): acknowledgement of an order, arrival within the standard, time on scene, or the response standard while the incident waits for its plan</source>
            <translation>下一项时限及剩余时间 (负数: 已超时): 指令确认、按标准到场、现场处置时长, 或等待方案期间的响应标准</translation>
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
        <message>
            <source>%1: the district package is marked approximate: its outline, areas or roads are illustrations, not official data.</source>
            <translation>%1：该辖区数据包标记为示意数据，其边界、责任区或道路为示意，并非官方数据。</translation>
        </message>
        <message>
            <source>approximate data</source>
            <translation>示意数据</translation>
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
        <message>
            <source>Crowd forecast at %1</source>
            <translation>客流预测 %1</translation>
        </message>
        <message>
            <source>Crowd forecast</source>
            <translation>客流预测</translation>
        </message>
        <message>
            <source>Below the warning share of capacity</source>
            <translation>低于警戒比例</translation>
        </message>
        <message>
            <source>Warning share of capacity reached</source>
            <translation>达到警戒比例</translation>
        </message>
        <message>
            <source>Alarm share of capacity reached</source>
            <translation>达到报警比例</translation>
        </message>
        <message>
            <source>No forecast for this hour</source>
            <translation>该时刻无预测</translation>
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
            <source>Needs a duty supervisor's approval</source>
            <translation>需值班领导审批</translation>
        </message>
        <message>
            <source>Needs a second duty supervisor's approval (%1/%2); approved by %3</source>
            <translation>需第二名值班领导审批 (%1/%2)；已审批：%3</translation>
        </message>
        <message>
            <source>Needs two duty supervisors' approval (%1/%2)</source>
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
        <message>
            <source>Darkest colour: %1 per km² or more; peak %2</source>
            <translation>最深色：%1 起/平方公里及以上；峰值 %2</translation>
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
            <source>Cameras</source>
            <translation>摄像机</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>摄像机编号</translation>
        </message>
        <message>
            <source>Raised</source>
            <translation>发起事件</translation>
        </message>
        <message>
            <source>Detections</source>
            <translation>检测次数</translation>
        </message>
        <message>
            <source>Confirmed</source>
            <translation>已确认</translation>
        </message>
        <message>
            <source>Dismissed</source>
            <translation>判为误报</translation>
        </message>
        <message>
            <source>Undecided</source>
            <translation>待确认</translation>
        </message>
        <message>
            <source>False-alarm rate</source>
            <translation>误报率</translation>
        </message>
        <message>
            <source>False-alarm rate (%)</source>
            <translation>误报率 (%)</translation>
        </message>
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
            <source>Administration needs an administrator's sign-in.</source>
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
        <message>
            <source>Plan for incident #%1 awaits your approval in the plan queue</source>
            <translation>警情 #%1 的方案在审批队列中等待您审批</translation>
        </message>
    </context>
    <context>
        <name>ForecastPanel</name>
        <message>
            <source>%1 calls expected</source>
            <translation>预计警情 %1 起</translation>
        </message>
        <message>
            <source>Blend (recommended)</source>
            <translation>组合模型（推荐）</translation>
        </message>
        <message>
            <source>Computing…</source>
            <translation>计算中…</translation>
        </message>
        <message>
            <source>Day %1</source>
            <translation>第 %1 天</translation>
        </message>
        <message>
            <source>Forecast</source>
            <translation>预测</translation>
        </message>
        <message>
            <source>Forecast unavailable: %1</source>
            <translation>无法预测：%1</translation>
        </message>
        <message>
            <source>Horizon</source>
            <translation>预测时段</translation>
        </message>
        <message>
            <source>Kernel density (baseline)</source>
            <translation>核密度（基准）</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>模型</translation>
        </message>
        <message>
            <source>Model %1, cells of %2 m; times in %3. Move the slider through the steps.</source>
            <translation>模型：%1，网格 %2 米；时间为 %3 当地时间。拖动滑块逐时段查看。</translation>
        </message>
        <message>
            <source>Next 24 hours, hour by hour</source>
            <translation>未来24小时（逐小时）</translation>
        </message>
        <message>
            <source>Next 7 days, day by day</source>
            <translation>未来7天（逐日）</translation>
        </message>
        <message>
            <source>Next shift (8 hours)</source>
            <translation>下一班次（8小时）</translation>
        </message>
        <message>
            <source>Press “Forecast” for the expected calls from now.</source>
            <translation>点击“预测”查看自现在起的预计警情。</translation>
        </message>
        <message>
            <source>Prospective hot spots</source>
            <translation>前瞻热点模型</translation>
        </message>
        <message>
            <source>Self-exciting (SEPP)</source>
            <translation>自激点过程（SEPP）</translation>
        </message>
        <message>
            <source>Whole period</source>
            <translation>整个时段</translation>
        </message>
    </context>
    <context>
        <name>ForecastTools</name>
        <message>
            <source>%1, patrol point %2</source>
            <translation>%1 巡逻点 %2</translation>
        </message>
        <message>
            <source>&amp;Analysis</source>
            <translation>分析研判(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Forecast the next 24 hours</source>
            <translation>预测未来24小时警情(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Patrol focus for the next shift</source>
            <translation>下一班次巡逻防控重点(&amp;P)</translation>
        </message>
        <message>
            <source>Find &amp;hot spots of the heatmap filter</source>
            <translation>查找热力图筛选警情的热点(&amp;H)</translation>
        </message>
        <message>
            <source>Forecast</source>
            <translation>警情预测</translation>
        </message>
        <message>
            <source>Forecast patrol focus: %1 calls expected within %2 m during the shift</source>
            <translation>预测巡逻重点：本班次 %2 米范围内预计警情 %1 起</translation>
        </message>
        <message>
            <source>Hot spots</source>
            <translation>热点分析</translation>
        </message>
        <message>
            <source>Patrol focus</source>
            <translation>巡逻防控重点</translation>
        </message>
        <message>
            <source>Patrol point %1 of %2 posted as incident #%3; the plan follows</source>
            <translation>%2 巡逻点 %1 已登记为警情 #%3，方案随后生成</translation>
        </message>
        <message>
            <source>The patrol point was not posted: %1</source>
            <translation>巡逻点未能登记：%1</translation>
        </message>
    </context>
    <context>
        <name>HeatPanel</name>
        <message>
            <source>All week</source>
            <translation>全周</translation>
        </message>
        <message>
            <source>Days of the week and smoothing</source>
            <translation>星期与平滑</translation>
        </message>
        <message>
            <source>Mon</source>
            <translation>一</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>二</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>三</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>四</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>五</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>六</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>日</translation>
        </message>
        <message>
            <source>Hours of the day (local time)</source>
            <translation>时段（当地时间）</translation>
        </message>
        <message>
            <source>Mon–Fri</source>
            <translation>周一至周五</translation>
        </message>
        <message>
            <source>Smoothing %1 m</source>
            <translation>平滑 %1 米</translation>
        </message>
        <message>
            <source>Tick at least one day of the week.</source>
            <translation>请至少勾选一天。</translation>
        </message>
        <message>
            <source>Weekend</source>
            <translation>周末</translation>
        </message>
    </context>
    <context>
        <name>HotspotPanel</name>
        <message>
            <source>#</source>
            <translation>序</translation>
        </message>
        <message>
            <source>%1 days</source>
            <translation>%1 天</translation>
        </message>
        <message>
            <source>%1 days a week</source>
            <translation>每周 %1 天</translation>
        </message>
        <message>
            <source>%1 hot spots among %2 calls (false-discovery rate %3)</source>
            <translation>%2 起警情中发现 %1 个热点（错误发现率 %3）</translation>
        </message>
        <message>
            <source>%1 hours</source>
            <translation>%1 个小时段</translation>
        </message>
        <message>
            <source>Busiest</source>
            <translation>高峰</translation>
        </message>
        <message>
            <source>Calls</source>
            <translation>警情数</translation>
        </message>
        <message>
            <source>Calls of the heatmap filter</source>
            <translation>热力图筛选的警情</translation>
        </message>
        <message>
            <source>Calls of the heatmap filter: %1</source>
            <translation>热力图筛选的警情：%1</translation>
        </message>
        <message>
            <source>Cell size</source>
            <translation>网格大小</translation>
        </message>
        <message>
            <source>False-discovery rate</source>
            <translation>错误发现率</translation>
        </message>
        <message>
            <source>Find hot spots</source>
            <translation>查找热点</translation>
        </message>
        <message>
            <source>Follow the heatmap filter</source>
            <translation>跟随热力图筛选</translation>
        </message>
        <message>
            <source>Hot spot %1: %2 calls on %3 km², peak z %4.
Main types: %5
Busiest hours: %6</source>
            <translation>热点 %1：警情 %2 起，面积 %3 平方公里，最高 z 值 %4。
主要类型：%5
高峰时段：%6</translation>
        </message>
        <message>
            <source>Hot spots unavailable: %1</source>
            <translation>无法分析热点：%1</translation>
        </message>
        <message>
            <source>Main type</source>
            <translation>主要类型</translation>
        </message>
        <message>
            <source>Neighbourhood</source>
            <translation>邻域半径</translation>
        </message>
        <message>
            <source>No significant hot spot among %1 calls.</source>
            <translation>%1 起警情中未发现显著热点。</translation>
        </message>
        <message>
            <source>Peak z</source>
            <translation>最高z值</translation>
        </message>
        <message>
            <source>Press “Find hot spots” to search the heatmap filter's calls.</source>
            <translation>点击“查找热点”分析热力图筛选的警情。</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>分析中…</translation>
        </message>
        <message>
            <source>The heatmap filter matches no calls.</source>
            <translation>热力图筛选没有匹配的警情。</translation>
        </message>
        <message>
            <source>all hours</source>
            <translation>全天</translation>
        </message>
        <message>
            <source>all types</source>
            <translation>全部类型</translation>
        </message>
        <message>
            <source>all week</source>
            <translation>全周</translation>
        </message>
    </context>
    <context>
        <name>MapView</name>
        <message>
            <source>Expected calls per km²</source>
            <translation>预计警情（起/平方公里）</translation>
        </message>
        <message>
            <source>Forecast and patrol points</source>
            <translation>警情预测与巡逻点</translation>
        </message>
        <message>
            <source>Hot spot {rank}: {calls} calls, peak z {z}</source>
            <translation>热点 {rank}：警情 {calls} 起，最高 z 值 {z}</translation>
        </message>
        <message>
            <source>Hot spots</source>
            <translation>警情热点</translation>
        </message>
        <message>
            <source>Hot spots (Gi*), by rank</source>
            <translation>警情热点（Gi*，按排名）</translation>
        </message>
        <message>
            <source>Patrol point (rank in its area)</source>
            <translation>巡逻点（责任区内排名）</translation>
        </message>
        <message>
            <source>Patrol point already posted</source>
            <translation>已登记的巡逻点</translation>
        </message>
        <message>
            <source>Peak z 4–8</source>
            <translation>最高 z 值 4–8</translation>
        </message>
        <message>
            <source>Peak z below 4</source>
            <translation>最高 z 值低于 4</translation>
        </message>
        <message>
            <source>Peak z ≥ 8</source>
            <translation>最高 z 值 ≥ 8</translation>
        </message>
        <message>
            <source>110 calls: {value} per km²</source>
            <translation>110警情：{value} 起/平方公里</translation>
        </message>
        <message>
            <source>Darkest colour: {top} per km² or more (the hottest {share} % of cells); peak {peak}</source>
            <translation>最深色：{top} 起/平方公里及以上（最热的 {share}% 网格）；峰值 {peak}</translation>
        </message>
        <message>
            <source>No calls on the map</source>
            <translation>地图上无警情</translation>
        </message>
    </context>
    <context>
        <name>PatrolFocusPanel</name>
        <message>
            <source>%1 free</source>
            <translation>空闲 %1</translation>
        </message>
        <message>
            <source>Area / point</source>
            <translation>责任区 / 巡逻点</translation>
        </message>
        <message>
            <source>Computing…</source>
            <translation>计算中…</translation>
        </message>
        <message>
            <source>Expected calls</source>
            <translation>预计警情</translation>
        </message>
        <message>
            <source>From now, 8 hours</source>
            <translation>自现在起 8 小时</translation>
        </message>
        <message>
            <source>Patrol focus</source>
            <translation>巡逻重点</translation>
        </message>
        <message>
            <source>Patrol focus unavailable: %1</source>
            <translation>无法计算巡逻重点：%1</translation>
        </message>
        <message>
            <source>Patrol radius</source>
            <translation>巡逻半径</translation>
        </message>
        <message>
            <source>Patrol units</source>
            <translation>巡逻警力</translation>
        </message>
        <message>
            <source>Point %1</source>
            <translation>巡逻点 %1</translation>
        </message>
        <message>
            <source>Points per area</source>
            <translation>每区巡逻点数</translation>
        </message>
        <message>
            <source>Post patrol point</source>
            <translation>登记巡逻点</translation>
        </message>
        <message>
            <source>Press “Patrol focus” for the points of the chosen shift.</source>
            <translation>点击“巡逻重点”计算所选班次的巡逻点。</translation>
        </message>
        <message>
            <source>Shift</source>
            <translation>班次</translation>
        </message>
        <message>
            <source>Shift %1: expected calls per area, and within the radius of each point. Select a point and post it: the plan sends the nearest free patrol unit.</source>
            <translation>班次 %1：各责任区预计警情，以及各巡逻点半径内的预计警情。选中巡逻点并登记：方案将派出最近的空闲巡逻警力。</translation>
        </message>
        <message>
            <source>Shift from %1</source>
            <translation>%1 起的班次</translation>
        </message>
        <message>
            <source>posted #%1</source>
            <translation>已登记 #%1</translation>
        </message>
        <message>
            <source>the reply lists no areas</source>
            <translation>回复中没有责任区</translation>
        </message>
    </context>
    <context>
        <name>Reports</name>
        <message>
            <source>met</source>
            <translation>达标</translation>
        </message>
        <message>
            <source>late</source>
            <translation>超时</translation>
        </message>
        <message>
            <source>none</source>
            <translation>无</translation>
        </message>
        <message>
            <source>After-action report</source>
            <translation>警情处置报告</translation>
        </message>
        <message>
            <source>incident</source>
            <translation>警情</translation>
        </message>
        <message>
            <source>Generated from the command centre record.</source>
            <translation>根据指挥中心记录生成。</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>警情</translation>
        </message>
        <message>
            <source>Priority / force level</source>
            <translation>警情等级 / 处置力量等级</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>地点</translation>
        </message>
        <message>
            <source>Caller</source>
            <translation>报警人</translation>
        </message>
        <message>
            <source>Report</source>
            <translation>报警内容</translation>
        </message>
        <message>
            <source>Call taken</source>
            <translation>接警</translation>
        </message>
        <message>
            <source>Ended</source>
            <translation>结束</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>处置结果</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>警力</translation>
        </message>
        <message>
            <source>Response against the standard</source>
            <translation>到场时间与标准对比</translation>
        </message>
        <message>
            <source>Call to first order</source>
            <translation>接警至首条指令</translation>
        </message>
        <message>
            <source>Call to first arrival</source>
            <translation>接警至首支警力到场</translation>
        </message>
        <message>
            <source>First unit on scene</source>
            <translation>首支到场警力</translation>
        </message>
        <message>
            <source>order to arrival</source>
            <translation>指令至到场</translation>
        </message>
        <message>
            <source>standard</source>
            <translation>标准</translation>
        </message>
        <message>
            <source>Standard</source>
            <translation>标准</translation>
        </message>
        <message>
            <source>Plans and decisions</source>
            <translation>处置方案与审批</translation>
        </message>
        <message>
            <source>first approval</source>
            <translation>首次审批</translation>
        </message>
        <message>
            <source>Plan</source>
            <translation>方案</translation>
        </message>
        <message>
            <source>Proposed</source>
            <translation>提出</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>等级</translation>
        </message>
        <message>
            <source>Decisions</source>
            <translation>审批</translation>
        </message>
        <message>
            <source>Orders and receipts</source>
            <translation>指令与回执</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>警力</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>下达</translation>
        </message>
        <message>
            <source>Delivered</source>
            <translation>送达</translation>
        </message>
        <message>
            <source>Accepted</source>
            <translation>接受</translation>
        </message>
        <message>
            <source>Arrived</source>
            <translation>到场</translation>
        </message>
        <message>
            <source>Finished</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Order to arrival</source>
            <translation>指令至到场</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Chronology</source>
            <translation>处置过程</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>What</source>
            <translation>事项</translation>
        </message>
        <message>
            <source>Messages and reports from the scene</source>
            <translation>消息与现场反馈</translation>
        </message>
        <message>
            <source>command centre</source>
            <translation>指挥中心</translation>
        </message>
        <message>
            <source>From</source>
            <translation>发送</translation>
        </message>
        <message>
            <source>To</source>
            <translation>接收</translation>
        </message>
        <message>
            <source>Text</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>Read</source>
            <translation>已读</translation>
        </message>
        <message>
            <source>This database keeps no messages.</source>
            <translation>本数据库未保存消息。</translation>
        </message>
        <message>
            <source>Photos from the scene</source>
            <translation>现场照片</translation>
        </message>
        <message>
            <source>Shift report</source>
            <translation>值班报告</translation>
        </message>
        <message>
            <source>generated</source>
            <translation>生成于</translation>
        </message>
        <message>
            <source>by</source>
            <translation>由</translation>
        </message>
        <message>
            <source>Incidents handled</source>
            <translation>处置警情</translation>
        </message>
        <message>
            <source>new</source>
            <translation>新增</translation>
        </message>
        <message>
            <source>carried over</source>
            <translation>上一班移交</translation>
        </message>
        <message>
            <source>Closed / cancelled</source>
            <translation>结案 / 撤销</translation>
        </message>
        <message>
            <source>Still open at the end</source>
            <translation>班末未结</translation>
        </message>
        <message>
            <source>By type</source>
            <translation>按类型</translation>
        </message>
        <message>
            <source>By priority</source>
            <translation>按等级</translation>
        </message>
        <message>
            <source>Response times against the standards</source>
            <translation>到场时间与标准对比</translation>
        </message>
        <message>
            <source>Limit</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Arrivals</source>
            <translation>到场次数</translation>
        </message>
        <message>
            <source>Within</source>
            <translation>达标</translation>
        </message>
        <message>
            <source>Mean</source>
            <translation>平均</translation>
        </message>
        <message>
            <source>90 %</source>
            <translation>90%分位</translation>
        </message>
        <message>
            <source>Worst</source>
            <translation>最长</translation>
        </message>
        <message>
            <source>Incidents</source>
            <translation>警情</translation>
        </message>
        <message>
            <source>No.</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Call</source>
            <translation>接警</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>P</source>
            <translation>等级</translation>
        </message>
        <message>
            <source>Call to arrival</source>
            <translation>接警至到场</translation>
        </message>
        <message>
            <source>Approved by</source>
            <translation>审批人</translation>
        </message>
        <message>
            <source>Orders</source>
            <translation>指令</translation>
        </message>
        <message>
            <source>Refused</source>
            <translation>拒绝</translation>
        </message>
        <message>
            <source>Mean response</source>
            <translation>平均到场</translation>
        </message>
        <message>
            <source>Within standard</source>
            <translation>达标率</translation>
        </message>
        <message>
            <source>Time on task</source>
            <translation>出警时长</translation>
        </message>
        <message>
            <source>Alerts</source>
            <translation>告警</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类别</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Who approved what</source>
            <translation>审批记录</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>值班领导</translation>
        </message>
        <message>
            <source>Decision</source>
            <translation>决定</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>理由</translation>
        </message>
        <message>
            <source>Shift log</source>
            <translation>值班日志</translation>
        </message>
        <message>
            <source>Entry</source>
            <translation>事项</translation>
        </message>
        <message>
            <source>approved</source>
            <translation>批准</translation>
        </message>
        <message>
            <source>rejected</source>
            <translation>驳回</translation>
        </message>
        <message>
            <source>amended</source>
            <translation>修改</translation>
        </message>
        <message>
            <source>Signed in:</source>
            <translation>签到:</translation>
        </message>
        <message>
            <source>Handover:</source>
            <translation>交班:</translation>
        </message>
        <message>
            <source>Handover acknowledged:</source>
            <translation>接班确认:</translation>
        </message>
        <message>
            <source>not yet acknowledged</source>
            <translation>尚未接班确认</translation>
        </message>
        <message>
            <source>Shift handover</source>
            <translation>交接班</translation>
        </message>
        <message>
            <source>Handed over by</source>
            <translation>交班人</translation>
        </message>
        <message>
            <source>Shift since</source>
            <translation>本班开始</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Taken over by</source>
            <translation>接班人</translation>
        </message>
        <message>
            <source>on duty</source>
            <translation>在岗</translation>
        </message>
        <message>
            <source>off duty</source>
            <translation>不在岗</translation>
        </message>
        <message>
            <source>Open incidents</source>
            <translation>未结警情</translation>
        </message>
        <message>
            <source>Alerts not yet acknowledged</source>
            <translation>未确认告警</translation>
        </message>
        <message>
            <source>Notes of the shift</source>
            <translation>本班记事</translation>
        </message>
        <message>
            <source>Times are Beijing time (UTC+8).</source>
            <translation>时间为北京时间 (UTC+8)。</translation>
        </message>
        <message>
            <source>Duty roster:</source>
            <translation>排班:</translation>
        </message>
        <message>
            <source>On duty:</source>
            <translation>上岗:</translation>
        </message>
        <message>
            <source>Off duty:</source>
            <translation>下岗:</translation>
        </message>
    </context>
    <context>
        <name>Deadline</name>
        <message>
            <source>ack</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>arrive</source>
            <translation>到场</translation>
        </message>
        <message>
            <source>on scene</source>
            <translation>现场</translation>
        </message>
        <message>
            <source>respond</source>
            <translation>响应</translation>
        </message>
    </context>
    <context>
        <name>HistoryWindow</name>
        <message>
            <source>Past incidents: search and reports</source>
            <translation>历史警情: 查询与报告</translation>
        </message>
        <message>
            <source>Incident no.</source>
            <translation>警情编号</translation>
        </message>
        <message>
            <source>Call between</source>
            <translation>接警时间</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Near</source>
            <translation>附近</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>责任区</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>警力</translation>
        </message>
        <message>
            <source>Officer</source>
            <translation>民警</translation>
        </message>
        <message>
            <source>Text</source>
            <translation>文字</translation>
        </message>
        <message>
            <source>any time</source>
            <translation>不限时间</translation>
        </message>
        <message>
            <source>e.g. 1024</source>
            <translation>例如 1024</translation>
        </message>
        <message>
            <source>call sign</source>
            <translation>呼号</translation>
        </message>
        <message>
            <source>name or badge</source>
            <translation>姓名或警号</translation>
        </message>
        <message>
            <source>address, report, caller or outcome</source>
            <translation>地址、报警内容、报警人或处置结果</translation>
        </message>
        <message>
            <source>Include open incidents</source>
            <translation>包含未结警情</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>查询</translation>
        </message>
        <message>
            <source>Export list (CSV)…</source>
            <translation>导出列表 (CSV)…</translation>
        </message>
        <message>
            <source>Export PDF…</source>
            <translation>导出 PDF…</translation>
        </message>
        <message>
            <source>Export CSV…</source>
            <translation>导出 CSV…</translation>
        </message>
        <message>
            <source>Print…</source>
            <translation>打印…</translation>
        </message>
        <message>
            <source>No.</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Call</source>
            <translation>接警</translation>
        </message>
        <message>
            <source>P</source>
            <translation>等级</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>地点</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Ended</source>
            <translation>结束</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>警力</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>处置结果</translation>
        </message>
        <message>
            <source>any type</source>
            <translation>全部类型</translation>
        </message>
        <message>
            <source>anywhere</source>
            <translation>不限地点</translation>
        </message>
        <message>
            <source>the map centre</source>
            <translation>地图中心</translation>
        </message>
        <message>
            <source>any area</source>
            <translation>全部责任区</translation>
        </message>
        <message>
            <source>No incidents found yet: search above.</source>
            <translation>尚无结果: 请在上方查询。</translation>
        </message>
        <message>
            <source>%1 found; the newest %2 shown</source>
            <translation>共 %1 起; 显示最新 %2 起</translation>
        </message>
        <message>
            <source>%1 found</source>
            <translation>共 %1 起</translation>
        </message>
        <message>
            <source>After-action report — incident #%1</source>
            <translation>警情处置报告 — 警情 #%1</translation>
        </message>
        <message>
            <source>Export PDF</source>
            <translation>导出 PDF</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>PDF 文件 (*.pdf)</translation>
        </message>
        <message>
            <source>Export CSV</source>
            <translation>导出 CSV</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Loading incident #%1…</source>
            <translation>正在读取警情 #%1…</translation>
        </message>
    </context>
    <context>
        <name>IncidentListPanel</name>
        <message>
            <source>Filter: number, type, place, unit…</source>
            <translation>筛选: 编号、类型、地点、警力…</translation>
        </message>
        <message>
            <source>All priorities</source>
            <translation>全部等级</translation>
        </message>
        <message>
            <source>P1 only</source>
            <translation>仅一级</translation>
        </message>
        <message>
            <source>P1–P2</source>
            <translation>一至二级</translation>
        </message>
        <message>
            <source>P1–P3</source>
            <translation>一至三级</translation>
        </message>
        <message>
            <source>All states</source>
            <translation>全部状态</translation>
        </message>
        <message>
            <source>Awaiting plan or approval</source>
            <translation>待方案或审批</translation>
        </message>
        <message>
            <source>Dispatched, en route</source>
            <translation>已派警、途中</translation>
        </message>
        <message>
            <source>On scene</source>
            <translation>到场处置</translation>
        </message>
        <message>
            <source>Overdue only</source>
            <translation>仅超时</translation>
        </message>
        <message>
            <source>%1 open · %2 overdue · %3 awaiting a decision</source>
            <translation>未结 %1 · 超时 %2 · 待审批 %3</translation>
        </message>
        <message>
            <source>%1 shown</source>
            <translation>显示 %1</translation>
        </message>
    </context>
    <context>
        <name>PlanQueue</name>
        <message>
            <source>P</source>
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
            <source>Level</source>
            <translation>力量</translation>
        </message>
        <message>
            <source>Approvals</source>
            <translation>审批</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>警力</translation>
        </message>
        <message>
            <source>Waiting</source>
            <translation>等待</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>地点</translation>
        </message>
        <message>
            <source>Call sign</source>
            <translation>呼号</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>任务</translation>
        </message>
        <message>
            <source>ETA</source>
            <translation>预计到达</translation>
        </message>
        <message>
            <source>Std.</source>
            <translation>标准</translation>
        </message>
        <message>
            <source>Tick all low-level</source>
            <translation>勾选全部低等级</translation>
        </message>
        <message>
            <source>Tick every plan of force level 1–2 you may approve</source>
            <translation>勾选可由您审批的全部1–2级方案</translation>
        </message>
        <message>
            <source>Approve</source>
            <translation>批准</translation>
        </message>
        <message>
            <source>Amend…</source>
            <translation>修改…</translation>
        </message>
        <message>
            <source>Reject…</source>
            <translation>驳回…</translation>
        </message>
        <message>
            <source>Open in window</source>
            <translation>在窗口中打开</translation>
        </message>
        <message>
            <source>Chronology</source>
            <translation>处置过程</translation>
        </message>
        <message>
            <source>Approve all</source>
            <translation>全部批准</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>%1 plans awaiting a decision · %2 await you</source>
            <translation>待审批方案 %1 · 待您审批 %2</translation>
        </message>
        <message>
            <source>%1 plans awaiting a supervisor's decision</source>
            <translation>待值班领导审批方案 %1</translation>
        </message>
        <message>
            <source>Approve ticked (%1)…</source>
            <translation>批准勾选 (%1)…</translation>
        </message>
        <message>
            <source>No plan awaits a decision.</source>
            <translation>没有待审批的方案。</translation>
        </message>
        <message>
            <source>#%1 %2 · %3 · force level %4 · officers %5/%6</source>
            <translation>#%1 %2 · %3 · 力量等级 %4 · 警力 %5/%6</translation>
        </message>
        <message>
            <source>Shortfall: %1</source>
            <translation>警力不足: %1</translation>
        </message>
        <message>
            <source>Only a duty supervisor may decide on a plan.</source>
            <translation>只有值班领导可以审批方案。</translation>
        </message>
        <message>
            <source>You have approved; a second, different supervisor must approve.</source>
            <translation>您已批准; 需另一名值班领导批准。</translation>
        </message>
        <message>
            <source>Needs a second duty supervisor's approval (%1/%2); approved by %3</source>
            <translation>需第二名值班领导审批 (%1/%2); 已批准: %3</translation>
        </message>
        <message>
            <source>Needs two duty supervisors' approval (0/2)</source>
            <translation>需两名值班领导审批 (0/2)</translation>
        </message>
        <message>
            <source>Dispatched under the approval policy; for the supervisor's notice</source>
            <translation>按审批规则已派警; 报值班领导知悉</translation>
        </message>
        <message>
            <source>Needs a duty supervisor's approval</source>
            <translation>需值班领导审批</translation>
        </message>
        <message>
            <source>Reject plan</source>
            <translation>驳回方案</translation>
        </message>
        <message>
            <source>Reason for rejecting the plan:</source>
            <translation>驳回理由:</translation>
        </message>
        <message>
            <source>A rejection needs a reason.</source>
            <translation>驳回需填写理由。</translation>
        </message>
        <message>
            <source>Choose units to remove or to add.</source>
            <translation>请选择要移除或增加的警力。</translation>
        </message>
        <message>
            <source>Approve %1 plans of force level 1–2 and send their orders? %2</source>
            <translation>批准 %1 个1–2级方案并下达指令? %2</translation>
        </message>
    </context>
    <context>
        <name>ShiftLogWindow</name>
        <message>
            <source>Shift log and handover</source>
            <translation>值班日志与交接班</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>Entry</source>
            <translation>事项</translation>
        </message>
        <message>
            <source>Text</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>A note for the shift log…</source>
            <translation>写入值班日志…</translation>
        </message>
        <message>
            <source>incident no.</source>
            <translation>警情编号</translation>
        </message>
        <message>
            <source>Add note</source>
            <translation>记录</translation>
        </message>
        <message>
            <source>Hand over the shift</source>
            <translation>交班</translation>
        </message>
        <message>
            <source>What the next shift must know (open matters, units, places)…</source>
            <translation>下一班需要知道的情况 (未结事项、警力、地点)…</translation>
        </message>
        <message>
            <source>Shift since</source>
            <translation>本班开始</translation>
        </message>
        <message>
            <source>Hand over</source>
            <translation>交班</translation>
        </message>
        <message>
            <source>Coming on with you (names, comma-separated)</source>
            <translation>同班接班人员 (姓名, 逗号分隔)</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Sign in and take over</source>
            <translation>签到并接班</translation>
        </message>
        <message>
            <source>Export PDF…</source>
            <translation>导出 PDF…</translation>
        </message>
        <message>
            <source>No handover yet.</source>
            <translation>尚无交班记录。</translation>
        </message>
        <message>
            <source>Handover #%1 was taken over by %2 at %3.</source>
            <translation>交班 #%1 已由 %2 于 %3 接班。</translation>
        </message>
        <message>
            <source>Handover #%1 by %2 at %3 awaits the incoming shift.</source>
            <translation>%2 于 %3 的交班 #%1 等待接班。</translation>
        </message>
        <message>
            <source>The incoming shift signs in here: someone other than who handed over.</source>
            <translation>由接班人员在此签到: 不能是交班人本人。</translation>
        </message>
        <message>
            <source>Write the note first.</source>
            <translation>请先填写记录内容。</translation>
        </message>
        <message>
            <source>Export PDF</source>
            <translation>导出 PDF</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>PDF 文件 (*.pdf)</translation>
        </message>
        <message>
            <source>Shift handover</source>
            <translation>交接班</translation>
        </message>
        <message>
            <source>Signed in</source>
            <translation>签到</translation>
        </message>
        <message>
            <source>Handover</source>
            <translation>交班</translation>
        </message>
        <message>
            <source>Handover acknowledged</source>
            <translation>接班确认</translation>
        </message>
        <message>
            <source>Duty roster</source>
            <translation>排班</translation>
        </message>
        <message>
            <source>On duty:</source>
            <translation>上岗:</translation>
        </message>
        <message>
            <source>Off duty:</source>
            <translation>下岗:</translation>
        </message>
    </context>
    <context>
        <name>ShiftReportWindow</name>
        <message>
            <source>Shift report</source>
            <translation>值班报告</translation>
        </message>
        <message>
            <source>Shift</source>
            <translation>班次</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <source>Export PDF…</source>
            <translation>导出 PDF…</translation>
        </message>
        <message>
            <source>Export CSV…</source>
            <translation>导出 CSV…</translation>
        </message>
        <message>
            <source>Print…</source>
            <translation>打印…</translation>
        </message>
        <message>
            <source>Export PDF</source>
            <translation>导出 PDF</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>PDF 文件 (*.pdf)</translation>
        </message>
        <message>
            <source>Export CSV</source>
            <translation>导出 CSV</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
    </context>
    <context>
        <name>ShiftTools</name>
        <message>
            <source>S&amp;hift</source>
            <translation>值班(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;Past incidents: search and reports…</source>
            <translation>历史警情: 查询与报告(&amp;P)…</translation>
        </message>
        <message>
            <source>Shift &amp;report…</source>
            <translation>值班报告(&amp;R)…</translation>
        </message>
        <message>
            <source>Shift &amp;log and handover…</source>
            <translation>值班日志与交接班(&amp;L)…</translation>
        </message>
        <message>
            <source>Plan &amp;queue</source>
            <translation>方案审批队列(&amp;Q)</translation>
        </message>
        <message>
            <source>Plan queue (%1)</source>
            <translation>方案审批 (%1)</translation>
        </message>
        <message>
            <source>Plan queue</source>
            <translation>方案审批</translation>
        </message>
    </context>
    <context>
        <name>CrowdPanel</name>
        <message>
            <source>Map at</source>
            <translation>地图时刻</translation>
        </message>
        <message>
            <source>The hour the map colours the crowd places for</source>
            <translation>地图按此时刻的预测客流为各地点着色</translation>
        </message>
        <message>
            <source>Counted</source>
            <translation>实测</translation>
        </message>
        <message>
            <source>Forecast (80 % band)</source>
            <translation>预测（80% 区间）</translation>
        </message>
        <message>
            <source>Next 30 min</source>
            <translation>未来30分钟</translation>
        </message>
        <message>
            <source>Warning</source>
            <translation>警戒线</translation>
        </message>
        <message>
            <source>Alarm</source>
            <translation>报警线</translation>
        </message>
        <message>
            <source>Map hour</source>
            <translation>地图时刻</translation>
        </message>
        <message>
            <source>People</source>
            <translation>人数</translation>
        </message>
        <message>
            <source>People per hour</source>
            <translation>人次/小时</translation>
        </message>
        <message>
            <source>now</source>
            <translation>现在</translation>
        </message>
        <message>
            <source>No forecast yet</source>
            <translation>暂无预测</translation>
        </message>
        <message>
            <source>warning %1 %</source>
            <translation>警戒 %1%</translation>
        </message>
        <message>
            <source>alarm %1 %</source>
            <translation>报警 %1%</translation>
        </message>
        <message>
            <source>Next peak %1: %2 people, %3 % of capacity</source>
            <translation>下一高峰 %1：%2 人，达容量的 %3%</translation>
        </message>
    </context>
    <context>
        <name>CrowdTools</name>
        <message>
            <source>Crowd forecast</source>
            <translation>客流预测</translation>
        </message>
        <message>
            <source>&amp;Analysis</source>
            <translation>分析研判(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Crowd forecast of the busy places</source>
            <translation>重点地区客流预测(&amp;C)</translation>
        </message>
        <message>
            <source>Crowd-crush incident #%1 opened; the plan follows</source>
            <translation>已创建踩踏风险警情 #%1，处置方案随后生成</translation>
        </message>
    </context>
    <context>
        <name>AttachmentViewer</name>
        <message>
            <source>%1 from %2 — incident #%3</source>
            <translation>%1 — 来自 %2 — 警情 #%3</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Could not save: %1</source>
            <translation>保存失败: %1</translation>
        </message>
        <message>
            <source>No video player on this workstation: the clip was saved to %1</source>
            <translation>本机没有视频播放器: 视频已保存到 %1</translation>
        </message>
        <message>
            <source>Opened in the system video player (%1)</source>
            <translation>已用系统播放器打开 (%1)</translation>
        </message>
        <message>
            <source>Play</source>
            <translation>播放</translation>
        </message>
        <message>
            <source>Save attachment</source>
            <translation>保存附件</translation>
        </message>
        <message>
            <source>Saved to %1</source>
            <translation>已保存到 %1</translation>
        </message>
        <message>
            <source>Save…</source>
            <translation>保存…</translation>
        </message>
        <message>
            <source>This picture cannot be shown.</source>
            <translation>无法显示此图片。</translation>
        </message>
    </context>
    <context>
        <name>CommsTools</name>
        <message>
            <source>&amp;Communications</source>
            <translation>通讯(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;Messages with the officers</source>
            <translation>与民警的消息(&amp;M)</translation>
        </message>
        <message>
            <source>&amp;Photos and clips of the selected incident</source>
            <translation>所选警情的照片和视频(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Record an order delivered by radio or phone…</source>
            <translation>登记用电台或电话下达的指令(&amp;R)…</translation>
        </message>
        <message>
            <source>Cannot record this delivery: %1</source>
            <translation>无法登记此次下达: %1</translation>
        </message>
        <message>
            <source>For the selected (or most urgent) “no terminal” alert</source>
            <translation>针对所选 (或最紧急) 的“无在线终端”告警</translation>
        </message>
        <message>
            <source>Messages</source>
            <translation>消息</translation>
        </message>
        <message>
            <source>Messages (%1 new)</source>
            <translation>消息 (%1 条新)</translation>
        </message>
        <message>
            <source>No open “no terminal” alert: every order reached a terminal.</source>
            <translation>没有未处理的“无在线终端”告警: 所有指令均已送达终端。</translation>
        </message>
        <message>
            <source>Photos and clips</source>
            <translation>照片和视频</translation>
        </message>
        <message>
            <source>Recorded: the order for %1 was delivered by hand.</source>
            <translation>已登记: %1 的指令已人工下达。</translation>
        </message>
    </context>
    <context>
        <name>IncidentMedia</name>
        <message>
            <source>Camera %1</source>
            <translation>摄像机 %1</translation>
        </message>
        <message>
            <source>Photo</source>
            <translation>照片</translation>
        </message>
        <message>
            <source>Video clip</source>
            <translation>视频</translation>
        </message>
    </context>
    <context>
        <name>IncidentMediaPanel</name>
        <message>
            <source>%1 files saved with the incident in %2</source>
            <translation>已随警情保存 %1 个文件到 %2</translation>
        </message>
        <message>
            <source>Incident #%1: %2 photos, %3 clips</source>
            <translation>警情 #%1: 照片 %2 张, 视频 %3 段</translation>
        </message>
        <message>
            <source>Incident #%1: no photos or clips from the scene yet.</source>
            <translation>警情 #%1: 暂无现场照片或视频。</translation>
        </message>
        <message>
            <source>Not all files were saved: %1</source>
            <translation>部分文件未能保存: %1</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Save every photo and clip of the incident into one folder, with a list</source>
            <translation>把本警情的全部照片和视频存入一个文件夹, 附清单</translation>
        </message>
        <message>
            <source>Save with the incident</source>
            <translation>随警情保存</translation>
        </message>
        <message>
            <source>Save with the incident…</source>
            <translation>随警情保存…</translation>
        </message>
        <message>
            <source>Select an incident to see its photos and clips.</source>
            <translation>请选择警情以查看其照片和视频。</translation>
        </message>
    </context>
    <context>
        <name>ManualDelivery</name>
        <message>
            <source>In person</source>
            <translation>当面</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Radio</source>
            <translation>电台</translation>
        </message>
    </context>
    <context>
        <name>ManualDeliveryDialog</name>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Delivered by</source>
            <translation>下达方式</translation>
        </message>
        <message>
            <source>No terminal could receive the order for %1 (incident #%2). Record how it reached the unit; the order then moves on as if the terminal had confirmed it.</source>
            <translation>%1 的指令 (警情 #%2) 无终端可接收。请登记指令是如何送达该单位的; 登记后指令状态将如同终端确认一样推进。</translation>
        </message>
        <message>
            <source>Order delivered by radio or phone</source>
            <translation>用电台或电话下达的指令</translation>
        </message>
        <message>
            <source>Record delivery</source>
            <translation>登记下达</translation>
        </message>
        <message>
            <source>The officer accepted the order</source>
            <translation>民警已接受指令</translation>
        </message>
        <message>
            <source>When (Shanghai)</source>
            <translation>时间 (北京时间)</translation>
        </message>
        <message>
            <source>Who answered</source>
            <translation>接收人</translation>
        </message>
        <message>
            <source>name or badge number of the officer</source>
            <translation>民警姓名或警号</translation>
        </message>
    </context>
    <context>
        <name>MessageDialog</name>
        <message>
            <source>Message to %1</source>
            <translation>发消息给 %1</translation>
        </message>
    </context>
    <context>
        <name>MessageState</name>
        <message>
            <source>delivered</source>
            <translation>已送达</translation>
        </message>
        <message>
            <source>not delivered (expired)</source>
            <translation>未送达 (已过期)</translation>
        </message>
        <message>
            <source>read</source>
            <translation>已读</translation>
        </message>
        <message>
            <source>received</source>
            <translation>已收到</translation>
        </message>
        <message>
            <source>waiting</source>
            <translation>待送达</translation>
        </message>
    </context>
    <context>
        <name>MessageThread</name>
        <message>
            <source>%1 → command room</source>
            <translation>%1 → 指挥中心</translation>
        </message>
        <message>
            <source>From → to</source>
            <translation>发送 → 接收</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>[photo refused: %1]</source>
            <translation>[照片被拒: %1]</translation>
        </message>
        <message>
            <source>[photo]</source>
            <translation>[照片]</translation>
        </message>
        <message>
            <source>[video clip]</source>
            <translation>[视频]</translation>
        </message>
        <message>
            <source>read %1/%3 · delivered %2/%3</source>
            <translation>已读 %1/%3 · 已送达 %2/%3</translation>
        </message>
    </context>
    <context>
        <name>Messages</name>
        <message>
            <source>every unit of incident #%1</source>
            <translation>警情 #%1 的全部单位</translation>
        </message>
        <message>
            <source>station %1</source>
            <translation>%1</translation>
        </message>
    </context>
    <context>
        <name>MessagesPanel</name>
        <message>
            <source>Choose a station.</source>
            <translation>请选择派出所。</translation>
        </message>
        <message>
            <source>Message to the officers (delivered to their terminals, read receipts)</source>
            <translation>给民警的消息 (发送到终端, 有已读回执)</translation>
        </message>
        <message>
            <source>Name the unit (call sign).</source>
            <translation>请填写单位呼号。</translation>
        </message>
        <message>
            <source>No terminal: %1 — reach them by radio or phone.</source>
            <translation>无终端: %1 — 请用电台或电话联系。</translation>
        </message>
        <message>
            <source>Select an incident first.</source>
            <translation>请先选择警情。</translation>
        </message>
        <message>
            <source>Send</source>
            <translation>发送</translation>
        </message>
        <message>
            <source>Send to the terminals (Ctrl+Enter)</source>
            <translation>发送到终端 (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Sent to %1 units.</source>
            <translation>已发送给 %1 个单位。</translation>
        </message>
        <message>
            <source>Sent to %1.</source>
            <translation>已发送给 %1。</translation>
        </message>
        <message>
            <source>The message is too long (%1 characters, at most %2).</source>
            <translation>消息过长 (%1 个字符, 最多 %2 个)。</translation>
        </message>
        <message>
            <source>To:</source>
            <translation>发给:</translation>
        </message>
        <message>
            <source>Write a message first.</source>
            <translation>请先填写消息内容。</translation>
        </message>
        <message>
            <source>call sign</source>
            <translation>呼号</translation>
        </message>
        <message>
            <source>every unit of a station</source>
            <translation>某派出所全部单位</translation>
        </message>
        <message>
            <source>every unit of the incident</source>
            <translation>本警情全部单位</translation>
        </message>
        <message>
            <source>one unit</source>
            <translation>单个单位</translation>
        </message>
    </context>
    <context>
        <name>CameraTile</name>
        <message>
            <source>, retry in %1 s</source>
            <translation>, %1 秒后重试</translation>
        </message>
        <message>
            <source>CAMERA DOWN</source>
            <translation>摄像机离线</translation>
        </message>
        <message>
            <source>connecting…</source>
            <translation>连接中…</translation>
        </message>
        <message>
            <source>not started</source>
            <translation>未启动</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>已停止</translation>
        </message>
        <message>
            <source>video ended</source>
            <translation>视频已结束</translation>
        </message>
    </context>
    <context>
        <name>VideoTools</name>
        <message>
            <source>&amp;Start cameras</source>
            <translation>启动摄像机(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Video</source>
            <translation>视频(&amp;V)</translation>
        </message>
        <message>
            <source>Cameras run on the hub's machine; this wall shows their detections</source>
            <translation>摄像机在指挥中心服务器上运行; 本视频墙显示其检测结果</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>False alarm</source>
            <translation>误报</translation>
        </message>
        <message>
            <source>Video &amp;wall</source>
            <translation>视频墙(&amp;W)</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>视频墙</translation>
        </message>
        <message>
            <source>What did the camera see?</source>
            <translation>摄像机看到的是什么?</translation>
        </message>
        <message>
            <source>No live camera pictures from the hub: %1</source>
            <translation>未收到指挥中心的实时摄像画面：%1</translation>
        </message>
        <message>
            <source>No camera of this camera file belongs to the district</source>
            <translation>该摄像头配置文件中没有属于本辖区的摄像头</translation>
        </message>
        <message>
            <source>Starting the cameras…</source>
            <translation>正在启动摄像头…</translation>
        </message>
        <message>
            <source>The cameras did not start: %1</source>
            <translation>摄像头未能启动：%1</translation>
        </message>
    </context>
    <context>
        <name>VideoWall</name>
        <message>
            <source>Camera detections</source>
            <translation>摄像机检测</translation>
        </message>
        <message>
            <source>Crowd %1</source>
            <translation>人群 %1</translation>
        </message>
        <message>
            <source>No cameras configured (config/cameras.toml)</source>
            <translation>未配置摄像机 (config/cameras.toml)</translation>
        </message>
        <message>
            <source>THROW floor %1</source>
            <translation>抛物 %1 层</translation>
        </message>
        <message>
            <source>Thrown object, floor %1</source>
            <translation>高空抛物, %1 层</translation>
        </message>
        <message>
            <source>confirmed</source>
            <translation>已确认</translation>
        </message>
        <message>
            <source>false alarm</source>
            <translation>误报</translation>
        </message>
        <message>
            <source>to check</source>
            <translation>待核实</translation>
        </message>
        <message>
            <source>◀ All cameras</source>
            <translation>◀ 全部摄像机</translation>
        </message>
    </context>
    <context>
        <name>CallsImport</name>
        <message>
            <source>%1 calls added to the history; the heat map is redrawn.</source>
            <translation>已向历史警情添加 %1 条; 热力图已重绘。</translation>
        </message>
        <message>
            <source>%1 calls added; the hub takes them in within a minute.</source>
            <translation>已添加 %1 条警情; 服务将在一分钟内读入。</translation>
        </message>
        <message>
            <source>&amp;Import past 110 calls…</source>
            <translation>导入历史110警情(&amp;I)…</translation>
        </message>
        <message>
            <source>Import past 110 calls</source>
            <translation>导入历史110警情</translation>
        </message>
        <message>
            <source>Import past 110 calls from a CSV or GeoJSON file</source>
            <translation>从 CSV 或 GeoJSON 文件导入历史110警情</translation>
        </message>
        <message>
            <source>Importing past calls needs a supervisor's or an administrator's sign-in.</source>
            <translation>导入历史警情须由值班领导或管理员登录。</translation>
        </message>
        <message>
            <source>The calls are stored, but the hub could not reload them: %1</source>
            <translation>警情已保存, 但服务未能重新读入: %1</translation>
        </message>
        <message>
            <source>This workstation is attached to a hub on another machine. Past calls are imported on the hub's machine, into its database:

python main.py calls import FILE --db URL --time-col … --lat-col … --lon-col … [--type-col … --id-col … --type-map FILE --crs gcj02 --tz Asia/Shanghai]

The hub takes the new calls in within a minute; the heat map shows them after that.</source>
            <translation>本工作站连接的是另一台机器上的指挥中心服务 (hub)。历史警情须在该服务所在的机器上导入其数据库:

python main.py calls import FILE --db URL --time-col … --lat-col … --lon-col … [--type-col … --id-col … --type-map FILE --crs gcj02 --tz Asia/Shanghai]

服务会在一分钟内读入新警情, 之后热力图即会显示。</translation>
        </message>
        <message>
            <source>The district is still loading; try again in a moment.</source>
            <translation>辖区数据仍在加载，请稍后再试。</translation>
        </message>
        <message>
            <source>This workstation's hub keeps its database in its own memory (sqlite://): past calls cannot be imported into it. Start the console on a database file or server (--db) to import them.</source>
            <translation>本工作站的指挥中枢把数据库保存在其自身内存中（sqlite://），无法向其导入历史警情。请以数据库文件或数据库服务器（--db）启动控制台后再导入。</translation>
        </message>
    </context>
    <context>
        <name>CallsImportDialog</name>
        <message>
            <source>%1: %2 rows read, %3 calls added, %4 already stored, %5 rejected (%6 s).</source>
            <translation>%1: 读取 %2 行, 新增 %3 条警情, %4 条已存在, 拒绝 %5 行 (%6 秒)。</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>(无)</translation>
        </message>
        <message>
            <source>BD-09 (Baidu)</source>
            <translation>BD-09 (百度)</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>CSV value,type or TOML [types]; empty: the type column holds incident types</source>
            <translation>CSV value,type 或 TOML [types]; 留空: 类型列中即为警情类型</translation>
        </message>
        <message>
            <source>Calls (*.csv *.geojson *.json);;All files (*)</source>
            <translation>警情 (*.csv *.geojson *.json);;所有文件 (*)</translation>
        </message>
        <message>
            <source>Calls file</source>
            <translation>警情文件</translation>
        </message>
        <message>
            <source>Cancel import</source>
            <translation>取消导入</translation>
        </message>
        <message>
            <source>Cancelling… nothing will be written</source>
            <translation>正在取消… 不会写入任何内容</translation>
        </message>
        <message>
            <source>Checking %2 rows</source>
            <translation>正在检查 %2 行</translation>
        </message>
        <message>
            <source>Choose the calls file first.</source>
            <translation>请先选择警情文件。</translation>
        </message>
        <message>
            <source>Choose…</source>
            <translation>选择…</translation>
        </message>
        <message>
            <source>Coordinate system</source>
            <translation>坐标系</translation>
        </message>
        <message>
            <source>File (CSV or GeoJSON)</source>
            <translation>文件 (CSV 或 GeoJSON)</translation>
        </message>
        <message>
            <source>First rejected rows (row, field: reason):</source>
            <translation>最先被拒绝的行 (行, 字段: 原因):</translation>
        </message>
        <message>
            <source>GCJ-02 (Chinese web maps)</source>
            <translation>GCJ-02 (国内网络地图)</translation>
        </message>
        <message>
            <source>Id column (optional)</source>
            <translation>编号列 (可选)</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>导入</translation>
        </message>
        <message>
            <source>Import cancelled: nothing was written.</source>
            <translation>导入已取消: 未写入任何内容。</translation>
        </message>
        <message>
            <source>Import past 110 calls</source>
            <translation>导入历史110警情</translation>
        </message>
        <message>
            <source>Importing calls</source>
            <translation>正在导入警情</translation>
        </message>
        <message>
            <source>Importing…</source>
            <translation>正在导入…</translation>
        </message>
        <message>
            <source>Latitude column</source>
            <translation>纬度列</translation>
        </message>
        <message>
            <source>Longitude column</source>
            <translation>经度列</translation>
        </message>
        <message>
            <source>Name the column that holds the time.</source>
            <translation>请填写时间所在的列。</translation>
        </message>
        <message>
            <source>Name the latitude and longitude columns.</source>
            <translation>请填写纬度列和经度列。</translation>
        </message>
        <message>
            <source>Name the type column, or choose the type of every call in the file.</source>
            <translation>请填写类型列, 或为文件中全部警情选择一个类型。</translation>
        </message>
        <message>
            <source>Nothing was imported: %1</source>
            <translation>未导入任何内容: %1</translation>
        </message>
        <message>
            <source>Past calls from a CSV or GeoJSON export are checked row by row and written in one transaction into the district “%1” of this workstation's hub. Cancel at any time: nothing is written until the whole file has been checked and stored.</source>
            <translation>CSV 或 GeoJSON 导出文件中的历史警情将逐行检查, 并在一个事务中写入本工作站服务的辖区“%1”。可随时取消: 整个文件检查并保存完成之前不会写入任何内容。</translation>
        </message>
        <message>
            <source>Reading the file: row %1 of about %2</source>
            <translation>正在读取文件: 第 %1 行, 约 %2 行</translation>
        </message>
        <message>
            <source>Rejected %1: %2</source>
            <translation>拒绝 %1 行: %2</translation>
        </message>
        <message>
            <source>Save rejected rows</source>
            <translation>保存被拒绝的行</translation>
        </message>
        <message>
            <source>Save rejected rows…</source>
            <translation>保存被拒绝的行…</translation>
        </message>
        <message>
            <source>Starting…</source>
            <translation>正在开始…</translation>
        </message>
        <message>
            <source>Time column</source>
            <translation>时间列</translation>
        </message>
        <message>
            <source>Time zone of times without offset</source>
            <translation>未带时区的时间所用时区</translation>
        </message>
        <message>
            <source>Type column (optional)</source>
            <translation>类型列 (可选)</translation>
        </message>
        <message>
            <source>Type map</source>
            <translation>类型对照表</translation>
        </message>
        <message>
            <source>Type map (optional)</source>
            <translation>类型对照表 (可选)</translation>
        </message>
        <message>
            <source>Type maps (*.csv *.toml);;All files (*)</source>
            <translation>类型对照表 (*.csv *.toml);;所有文件 (*)</translation>
        </message>
        <message>
            <source>Type when there is no type column</source>
            <translation>无类型列时的警情类型</translation>
        </message>
        <message>
            <source>WGS-84 (GPS)</source>
            <translation>WGS-84 (GPS)</translation>
        </message>
        <message>
            <source>Writing: %1 of %2 calls</source>
            <translation>正在写入: %1 / %2 条警情</translation>
        </message>
        <message>
            <source>the calls file</source>
            <translation>警情文件</translation>
        </message>
        <message>
            <source>… and %1 more: “Save rejected rows” writes them all.</source>
            <translation>… 另有 %1 行: “保存被拒绝的行”可将其全部写出。</translation>
        </message>
    </context>
</TS>
